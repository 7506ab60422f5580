extension HAProxyConfig {
    /// The configuration as HAProxy reads it, ending with a newline (HAProxy warns "Missing LF on last line").
    public func rendered() -> String {
        var lines: [String] = ["# Rendered by HawsLab for a loopback test lab.", "global"]
        if let maxconn = self.global.maxconn {
            lines.append("    maxconn \(maxconn)")
        }
        if let threads = self.global.threads {
            lines.append("    nbthread \(threads)")
        }
        if let streams = self.global.h2MaxConcurrentStreams {
            lines.append("    tune.h2.max-concurrent-streams \(streams)")
        }
        for socket in self.global.statsSockets {
            switch socket.address {
            case .unix(let path, let mode):
                lines.append("    stats socket \(path) mode \(mode) level \(socket.level.rawValue)")
            case .tcp(let host, let port):
                lines.append("    stats socket ipv4@\(host):\(port) level \(socket.level.rawValue)")
            }
        }

        lines += ["", "defaults", "    mode http"]
        if self.defaults.logGlobal {
            lines.append("    log global")
        }
        lines.append("    timeout connect \(self.defaults.timeoutConnect)")
        lines.append("    timeout client \(self.defaults.timeoutClient)")
        lines.append("    timeout server \(self.defaults.timeoutServer)")
        if let tunnel = self.defaults.timeoutTunnel {
            lines.append("    timeout tunnel \(tunnel)")
        }
        if let retries = self.defaults.retries {
            lines.append("    retries \(retries)")
        }

        let frontend = self.frontend
        lines += ["", "frontend \(frontend.name)", "    bind \(frontend.bindHost):\(frontend.bindPort)"]
        if let h2Port = frontend.h2BindPort {
            lines.append("    bind \(frontend.bindHost):\(h2Port) proto h2")
        }
        if let stats = frontend.statsPage {
            lines.append("    stats enable")
            lines.append("    stats uri \(stats.uri)")
            if let refresh = stats.refresh {
                lines.append("    stats refresh \(refresh)")
            }
            if let user = stats.user, let password = stats.password {
                lines.append("    stats auth \(user):\(password)")
            }
            if let condition = stats.adminCondition {
                lines.append("    stats admin if \(condition)")
            }
        }
        for route in frontend.routes {
            lines.append("    use_backend \(route.backend) if { path_beg \(route.pathPrefix) }")
        }
        if let defaultBackend = frontend.defaultBackend {
            lines.append("    default_backend \(defaultBackend)")
        }

        for backend in self.backends {
            lines += ["", "backend \(backend.name)", "    balance \(backend.balance)"]
            if backend.forwardFor {
                lines.append("    option forwardfor")
            }
            if backend.httpServerClose {
                lines.append("    option http-server-close")
            }
            if let path = backend.healthCheckPath {
                lines.append("    option httpchk GET \(path)")
            }
            if let reuse = backend.httpReuse {
                lines.append("    http-reuse \(reuse)")
            }
            for server in backend.servers {
                var line = "    server \(server.name) \(server.host):\(server.port)"
                if server.h2 {
                    line += " proto h2"
                }
                if let check = server.check {
                    line += " check"
                    if let inter = check.inter {
                        line += " inter \(inter)"
                    }
                    if let fall = check.fall {
                        line += " fall \(fall)"
                    }
                    if let rise = check.rise {
                        line += " rise \(rise)"
                    }
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rejects values that HAProxy would refuse or that would inject extra config text.
    ///
    /// Names follow HAProxy's own rule (`[A-Za-z0-9._:-]`); free text must stay on one line and out of comments.
    public func validate() throws(LabError) {
        try Self.check(name: self.frontend.name, what: "frontend name")
        try Self.check(word: self.frontend.bindHost, what: "bind host")
        try Self.check(port: self.frontend.bindPort, what: "frontend port")
        if let h2Port = self.frontend.h2BindPort {
            try Self.check(port: h2Port, what: "frontend h2 port")
        }
        for socket in self.global.statsSockets {
            switch socket.address {
            case .unix(let path, let mode):
                try Self.check(word: path, what: "stats socket path")
                guard path.utf8.count < 100 else {
                    throw LabError(.invalidName, "stats socket path too long for a Unix socket: \(path)")
                }
                guard !mode.isEmpty, mode.allSatisfy({ ("0"..."7").contains($0) }) else {
                    throw LabError(.invalidName, "stats socket mode must be octal: \(mode)")
                }
            case .tcp(let host, let port):
                try Self.check(word: host, what: "stats socket host")
                try Self.check(port: port, what: "stats socket port")
            }
        }
        if let stats = self.frontend.statsPage {
            try Self.check(word: stats.uri, what: "stats uri")
            if let user = stats.user {
                try Self.check(word: user, what: "stats user")
                guard !user.contains(":") else {
                    throw LabError(.invalidName, "stats user must not contain ':': \(user)")
                }
            }
            if let password = stats.password {
                try Self.check(word: password, what: "stats password")
            }
            if let condition = stats.adminCondition {
                guard !condition.isEmpty, !condition.contains(where: { $0.isNewline || $0 == "#" }) else {
                    throw LabError(.invalidName, "stats admin condition must be one line: \(condition)")
                }
            }
        }
        let backendNames = Set(self.backends.map(\.name))
        for route in self.frontend.routes {
            try Self.check(word: route.pathPrefix, what: "route path prefix")
            guard route.pathPrefix.hasPrefix("/"), !route.pathPrefix.contains("}") else {
                throw LabError(.invalidName, "route path prefix must start with '/': \(route.pathPrefix)")
            }
            guard backendNames.contains(route.backend) else {
                throw LabError(.invalidName, "route \(route.pathPrefix) names unknown backend \(route.backend)")
            }
        }
        if let defaultBackend = self.frontend.defaultBackend, !backendNames.contains(defaultBackend) {
            throw LabError(.invalidName, "default_backend names unknown backend \(defaultBackend)")
        }
        guard backendNames.count == self.backends.count else {
            throw LabError(.invalidName, "backend names must be unique")
        }
        for backend in self.backends {
            try Self.check(name: backend.name, what: "backend name")
            try Self.check(name: backend.balance, what: "balance algorithm")
            if let path = backend.healthCheckPath {
                try Self.check(word: path, what: "health check path")
            }
            if let reuse = backend.httpReuse, !["never", "safe", "aggressive", "always"].contains(reuse) {
                throw LabError(.invalidName, "http-reuse must be never, safe, aggressive or always: '\(reuse)'")
            }
            guard Set(backend.servers.map(\.name)).count == backend.servers.count else {
                throw LabError(.invalidName, "server names in backend \(backend.name) must be unique")
            }
            for server in backend.servers {
                try Self.check(name: server.name, what: "server name")
                try Self.check(word: server.host, what: "server host")
                try Self.check(port: server.port, what: "server port")
            }
        }
    }

    /// Whether `name` uses only the characters HAProxy allows in proxy and server names.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "A"..."Z", "a"..."z", "0"..."9", ".", "_", ":", "-": true
                default: false
                }
            }
    }

    private static func check(name: String, what: String) throws(LabError) {
        guard isValidName(name) else {
            throw LabError(.invalidName, "\(what) must match [A-Za-z0-9._:-]+: '\(name)'")
        }
    }

    private static func check(word: String, what: String) throws(LabError) {
        guard !word.isEmpty, !word.contains(where: { $0.isWhitespace || $0 == "#" || $0 == "\\" }) else {
            throw LabError(.invalidName, "\(what) must be one word without '#' or '\\': '\(word)'")
        }
    }

    private static func check(port: Int, what: String) throws(LabError) {
        guard (1...65535).contains(port) else {
            throw LabError(.invalidName, "\(what) out of range: \(port)")
        }
    }
}
