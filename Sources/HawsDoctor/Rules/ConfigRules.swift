/// What the rules need besides the configuration: facts of the machine, and the operator's choices.
public struct DoctorContext: Sendable, Hashable {
    /// The hard limit on open files a process gets here (HAProxy raises its own soft limit up to it).
    public var fileDescriptorLimit: Int?
    /// `--websocket-backend`: when given, the only proxies the WebSocket rules apply to.
    public var websocketBackends: [String]
    /// Backends holding tunnels now (live), which makes them WebSocket backends.
    public var liveTunnelBackends: Set<String>

    public init(fileDescriptorLimit: Int? = nil, websocketBackends: [String] = [], liveTunnelBackends: Set<String> = []) {
        self.fileDescriptorLimit = fileDescriptorLimit
        self.websocketBackends = websocketBackends
        self.liveTunnelBackends = liveTunnelBackends
    }
}

/// The rules on the configuration file alone. Pure: a ``ParsedConfig`` in, findings out.
public enum ConfigRules {
    /// The values haws proposes in fixes.
    static let suggestedTunnel = "1h"
    static let suggestedFin = "30s"
    static let suggestedHardStop = "30m"
    static let suggestedHTTPRequest = "10s"

    public static func evaluate(_ config: ParsedConfig, context: DoctorContext = DoctorContext()) -> [DoctorFinding] {
        let websocket = WebSocketBackends.detect(
            in: config, explicit: context.websocketBackends, liveTunnels: context.liveTunnelBackends)
        var findings: [DoctorFinding] = []
        for note in config.notes {
            findings.append(DoctorFinding(
                code: DoctorCode.configNotUnderstood, severity: .info, at: note.location, message: note.message))
        }
        let backends = config.proxies.filter { websocket[$0.name ?? ""] != nil }
        for backend in backends {
            findings += tunnelTimeout(backend, config: config)
            findings += serverFin(backend)
            findings += healthChecks(backend)
            findings += balance(backend)
            findings += serverMaxconn(backend)
            findings += connectionOptions(backend, config: config)
        }
        let fronts = config.proxies.filter { proxy in
            proxy.kind != .backend && (proxy.kind == .listen && websocket[proxy.name ?? ""] != nil
                || proxy.routedBackends.contains { websocket[$0] != nil })
        }
        for frontend in fronts { findings += clientFin(frontend) }
        for proxy in config.proxies where proxy.kind != .backend && proxy.mode == "http" {
            findings += httpRequestTimeout(proxy)
        }
        for proxy in fronts + backends.filter({ $0.kind == .backend }) {
            findings += upgradeBlocking(proxy)
        }
        for proxy in config.proxies { findings += statsPage(proxy, config: config) }
        findings += hardStopAfter(config, hasWebSockets: !backends.isEmpty)
        findings += globalMaxconn(config, context: context)
        return findings
    }

    // MARK: - Helpers

    /// Where a setting shared by proxies belongs: the defaults section the proxy uses, else the proxy.
    static func placement(for proxy: ConfigProxy) -> String {
        if let defaults = proxy.defaultsSection {
            return "the `defaults\(proxy.defaultsName.map { " \($0)" } ?? "")` section at \(defaults) (or `\(proxy.sectionLabel)`)"
        }
        return "`\(proxy.sectionLabel)` at \(proxy.location)"
    }

    static func finding(
        _ code: String, _ severity: DoctorSeverity, _ proxy: ConfigProxy, at location: ConfigLocation? = nil,
        _ message: String, fix: String?
    ) -> DoctorFinding {
        DoctorFinding(
            code: code, severity: severity, at: location ?? proxy.location, section: proxy.sectionLabel,
            proxy: proxy.name, message: message, fix: fix)
    }

    static func text(_ milliseconds: Int?) -> String {
        guard let milliseconds else { return "unset" }
        return milliseconds == 0 ? "0 (never)" : HAProxyDuration.text(milliseconds: milliseconds)
    }

    // MARK: - Timeouts

    static func tunnelTimeout(_ backend: ConfigProxy, config: ParsedConfig) -> [DoctorFinding] {
        let server = backend.timeout("server")?.milliseconds
        var client = backend.kind == .listen ? backend.timeout("client")?.milliseconds : nil
        if backend.kind == .backend {
            let clients = config.frontends(routingTo: backend.name ?? "").compactMap { $0.timeout("client")?.milliseconds }
            client = clients.filter { $0 > 0 }.min() ?? clients.first ?? backend.timeout("client")?.milliseconds
        }
        let idle = [client, server].compactMap { $0 }.filter { $0 > 0 }.min()
        guard let tunnel = backend.timeout("tunnel") else {
            if let idle {
                return [finding(
                    DoctorCode.timeoutTunnelMissing, .critical, backend,
                    "no `timeout tunnel`: every WebSocket idle for \(text(idle)) is closed (timeout client \(text(client)), "
                        + "timeout server \(text(server)) apply to tunnels without it)",
                    fix: "add `timeout tunnel \(suggestedTunnel)` to \(placement(for: backend))")]
            }
            return [finding(
                DoctorCode.timeoutTunnelMissing, .warning, backend,
                "no `timeout tunnel` and no client/server timeouts: tunnels of dead peers never expire",
                fix: "add `timeout tunnel \(suggestedTunnel)` to \(placement(for: backend))")]
        }
        guard let value = tunnel.milliseconds else { return [] }  // unreadable value: haproxy -c says so
        if value == 0 {
            return [finding(
                DoctorCode.timeoutTunnelZero, .warning, backend, at: tunnel.directive.location,
                "`timeout tunnel 0`: tunnels never time out; tunnels of vanished peers hold their slots forever",
                fix: "write `timeout tunnel \(suggestedTunnel)` at \(tunnel.directive.location)")]
        }
        let longest = [client, server].compactMap { $0 }.max() ?? 0
        if value < longest {
            return [finding(
                DoctorCode.timeoutTunnelShort, .warning, backend, at: tunnel.directive.location,
                "`timeout tunnel \(text(value))` is shorter than timeout client \(text(client)) / server \(text(server)): "
                    + "idle WebSockets are cut sooner than idle HTTP requests",
                fix: "write `timeout tunnel \(suggestedTunnel)` (or longer than \(text(longest))) at \(tunnel.directive.location)")]
        }
        return []
    }

    static func serverFin(_ backend: ConfigProxy) -> [DoctorFinding] {
        guard backend.timeout("server-fin") == nil else { return [] }
        return [finding(
            DoctorCode.timeoutServerFinMissing, .warning, backend,
            "no `timeout server-fin`: a server that half-closes a tunnel keeps it for the whole timeout tunnel",
            fix: "add `timeout server-fin \(suggestedFin)` to \(placement(for: backend))")]
    }

    static func clientFin(_ frontend: ConfigProxy) -> [DoctorFinding] {
        guard frontend.timeout("client-fin") == nil else { return [] }
        return [finding(
            DoctorCode.timeoutClientFinMissing, .warning, frontend,
            "no `timeout client-fin`: clients that vanish after a close keep half-closed tunnels for the whole timeout tunnel",
            fix: "add `timeout client-fin \(suggestedFin)` to \(placement(for: frontend))")]
    }

    static func httpRequestTimeout(_ frontend: ConfigProxy) -> [DoctorFinding] {
        guard frontend.timeout("http-request") == nil else { return [] }
        let client = frontend.timeout("client")?.milliseconds
        return [finding(
            DoctorCode.timeoutHTTPRequestMissing, .warning, frontend,
            "no `timeout http-request`: a client sending its (upgrade) request slowly holds a connection for timeout client \(text(client))",
            fix: "add `timeout http-request \(suggestedHTTPRequest)` to \(placement(for: frontend))")]
    }

    // MARK: - Reloads and capacity

    static func hardStopAfter(_ config: ParsedConfig, hasWebSockets: Bool) -> [DoctorFinding] {
        guard config.globalDirective("hard-stop-after") == nil else { return [] }
        let location = config.globalLocation
        return [DoctorFinding(
            code: DoctorCode.hardStopAfterMissing, severity: .warning, at: location, section: "global",
            message: "no `hard-stop-after`: after each reload the old process keeps its "
                + (hasWebSockets ? "WebSocket tunnels" : "connections") + " until the last one closes, and old processes pile up",
            fix: location.map { "add `hard-stop-after \(suggestedHardStop)` to `global` at \($0)" }
                ?? "add a `global` section with `hard-stop-after \(suggestedHardStop)`")]
    }

    static func globalMaxconn(_ config: ParsedConfig, context: DoctorContext) -> [DoctorFinding] {
        let ulimit = config.globalDirective("ulimit-n").flatMap { $0.words.count > 1 ? Int($0.words[1]) : nil }
        let limit = ulimit ?? context.fileDescriptorLimit
        guard let directive = config.globalDirective("maxconn"), directive.words.count > 1,
            let maxconn = Int(directive.words[1])
        else {
            return [DoctorFinding(
                code: DoctorCode.maxconnMissing, severity: .info, at: config.globalLocation, section: "global",
                message: "no global `maxconn`: HAProxy derives it from the file-descriptor limit"
                    + (limit.map { " (\($0) here: about \($0 / 2) connections)" } ?? ""),
                fix: "add `maxconn N` to `global` with N the tunnels this box should hold")]
        }
        guard let limit else { return [] }
        let needed = 2 * maxconn + 100
        guard needed > limit else { return [] }
        let source = ulimit != nil ? "`ulimit-n \(limit)`" : "the file-descriptor limit here (\(limit))"
        return [DoctorFinding(
            code: DoctorCode.maxconnOverFDLimit, severity: .warning, at: directive.location, section: "global",
            message: "`maxconn \(maxconn)` needs about \(needed) file descriptors (2 per proxied connection); \(source) "
                + "allows about \((limit - 100) / 2) connections",
            fix: "write `maxconn \(max(1, (limit - 100) / 2))` at \(directive.location), or raise the limit (LimitNOFILE=)")]
    }

    // MARK: - Backends

    static func hasWord(_ directive: ConfigDirective, _ word: String) -> Bool {
        directive.words.dropFirst(3).contains(word)
    }

    static func healthChecks(_ backend: ConfigProxy) -> [DoctorFinding] {
        let servers = backend.servers
        guard !servers.isEmpty else { return [] }
        let defaultServer = backend.all("default-server")
        let defaultChecks = defaultServer.contains { $0.words.dropFirst().contains("check") }
        let (checked, unchecked) = servers.reduce(into: ([ConfigDirective](), [ConfigDirective]())) { split, server in
            if defaultChecks || server.words.dropFirst(3).contains("check") { split.0.append(server) } else { split.1.append(server) }
        }
        var findings: [DoctorFinding] = []
        // One finding per backend, not per server: 10,000 unchecked servers are one problem to read.
        if let server = unchecked.first {
            let names = unchecked.prefix(5).map { $0.words.count > 1 ? $0.words[1] : "?" }.joined(separator: ", ")
                + (unchecked.count > 5 ? " and \(unchecked.count - 5) more" : "")
            findings.append(finding(
                DoctorCode.checkMissing, .warning, backend, at: server.location,
                "\(unchecked.count == 1 ? "server" : "\(unchecked.count) servers") \(names) without `check`: HAProxy always "
                    + "calls \(unchecked.count == 1 ? "it" : "them") UP and keeps sending upgrades when dead",
                fix: "append ` check` to the server line at \(server.location)"
                    + (unchecked.count > 1 ? " and the others (or `default-server check`)" : "")))
        }
        guard let first = checked.first else { return findings }
        let httpchk = backend.option("httpchk")
        let tcpCheck = backend.option("tcp-check")
        if httpchk?.enabled != true || tcpCheck?.enabled == true {
            findings.append(finding(
                DoctorCode.checkNoUpgrade, .warning, backend, at: first.location,
                "health checks are TCP connects: a server is UP when its port accepts, even when it refuses every upgrade",
                fix: "add to `\(backend.sectionLabel)`: `option httpchk`, `http-check send meth GET uri /<ws path> ver HTTP/1.1 "
                    + "hdr Host <host> hdr Connection Upgrade hdr Upgrade websocket hdr Sec-WebSocket-Version 13 "
                    + "hdr Sec-WebSocket-Key dGhlIHNhbXBsZSBub25jZQ==` and `http-check expect status 101`"))
            return findings
        }
        let expects101 = backend.all("http-check", "expect").contains { directive in
            let words = directive.words.dropFirst(2).map { $0.lowercased() }
            guard let kind = words.first(where: { !$0.hasPrefix("!") && $0 != "min-recv" }) else { return false }
            return (kind == "status" || kind == "rstatus") && words.contains { $0.contains("101") }
        }
        if !expects101 {
            findings.append(finding(
                DoctorCode.checkNoUpgrade, .warning, backend, at: httpchk?.directive.location ?? first.location,
                "`option httpchk` without `http-check expect status 101`: any 2xx or 3xx passes, not a real upgrade",
                fix: "add `http-check expect status 101` to `\(backend.sectionLabel)` and send the upgrade headers with "
                    + "`http-check send ... hdr Connection Upgrade hdr Upgrade websocket hdr Sec-WebSocket-Version 13 hdr Sec-WebSocket-Key ...`"))
        }
        return findings
    }

    static func balance(_ backend: ConfigProxy) -> [DoctorFinding] {
        let directive = backend.last("balance")
        let algorithm = directive?.words.dropFirst().first?.lowercased() ?? "roundrobin"
        guard algorithm == "roundrobin" || algorithm == "static-rr" else { return [] }
        return [finding(
            DoctorCode.balanceRoundRobin, .info, backend, at: directive?.location,
            (directive == nil ? "no `balance` (roundrobin)" : "`balance \(algorithm)`")
                + ": after a restart, reconnecting clients are spread evenly over servers that already hold tunnels; "
                + "leastconn fills the emptiest first",
            fix: "write `balance leastconn` in `\(backend.sectionLabel)`")]
    }

    static func serverMaxconn(_ backend: ConfigProxy) -> [DoctorFinding] {
        let limited = (backend.all("default-server") + backend.servers).filter { directive in
            directive.words.contains("maxconn")
        }
        guard let first = limited.first else { return [] }
        let index = first.words.firstIndex(of: "maxconn")!
        let value = index + 1 < first.words.count ? first.words[index + 1] : "?"
        if let queue = backend.timeout("queue") {
            return [finding(
                DoctorCode.serverMaxconnQueue, .info, backend, at: first.location,
                "server `maxconn \(value)`: tunnels hold the slots, so upgrade number \(value)+1 waits in the queue "
                    + "(timeout queue \(text(queue.milliseconds)), then 503)",
                fix: "size maxconn for the tunnels one server holds")]
        }
        let connect = backend.timeout("connect")?.milliseconds
        return [finding(
            DoctorCode.serverMaxconnQueue, .warning, backend, at: first.location,
            "server `maxconn \(value)`: tunnels hold the slots, so new upgrades queue until a tunnel closes, "
                + "for timeout connect \(text(connect)) (no `timeout queue`), then 503",
            fix: "add `timeout queue 5s` to \(placement(for: backend)) and size maxconn for the tunnels one server holds")]
    }

    static func connectionOptions(_ backend: ConfigProxy, config: ParsedConfig) -> [DoctorFinding] {
        guard backend.mode == "http" else { return [] }
        var findings: [DoctorFinding] = []
        let fronts = config.frontends(routingTo: backend.name ?? "")
        let forwarded = backend.option("forwardfor")?.enabled == true
            || (!fronts.isEmpty && fronts.allSatisfy { $0.option("forwardfor")?.enabled == true })
        if !forwarded {
            findings.append(finding(
                DoctorCode.forwardforMissing, .info, backend,
                "no `option forwardfor`: the WebSocket servers see HAProxy's address, not the client's, on the upgrade request",
                fix: "add `option forwardfor` to `\(backend.sectionLabel)` if the servers need the client address"))
        }
        if let close = backend.option("http-server-close"), close.enabled {
            findings.append(finding(
                DoctorCode.httpServerClose, .info, backend, at: close.directive.location,
                "`option http-server-close`: safe for WebSockets (a 101 turns the stream into a tunnel that lives on); "
                    + "plain requests get a new server connection each",
                fix: nil))
        }
        for proxy in [backend] + fronts {
            if let close = proxy.option("httpclose"), close.enabled {
                findings.append(finding(
                    DoctorCode.httpClose, .info, proxy, at: close.directive.location,
                    "`option httpclose`: each connection closes after one response; upgrades still become tunnels, "
                        + "but every request before them opens a new connection",
                    fix: "prefer the default keep-alive or `option http-server-close` in `\(proxy.sectionLabel)`"))
            }
        }
        return findings
    }

    // MARK: - Rules that break upgrades

    static func upgradeBlocking(_ proxy: ConfigProxy) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for directive in proxy.effective where directive.keyword == "http-request" && directive.words.count >= 3 {
            let action = directive.words[1].lowercased()
            let header = directive.words[2].lowercased()
            let conditional = directive.condition != nil
            let blocks: String?
            switch action {
            case "del-header" where header == "upgrade" || header == "connection":
                blocks = "removes the `\(directive.words[2])` header"
            case "set-header" where header == "connection" || header == "upgrade",
                "replace-header" where header == "connection" || header == "upgrade",
                "replace-value" where header == "connection" || header == "upgrade":
                let value = directive.words.dropFirst(3).joined(separator: " ").lowercased()
                blocks = value.contains("upgrade") || value.contains("websocket") ? nil : "rewrites the `\(directive.words[2])` header"
            case "deny", "reject", "tarpit", "silent-drop", "return":
                blocks = conditional && WebSocketBackends.mentionsUpgrade(directive.condition ?? []) ? "refuses requests with an Upgrade" : nil
            default:
                blocks = nil
            }
            guard let blocks else { continue }
            let severity: DoctorSeverity = conditional ? .warning : .critical
            findings.append(finding(
                DoctorCode.upgradeBlocked, severity, proxy, at: directive.location,
                "`\(directive.words.joined(separator: " "))` \(blocks): WebSocket upgrades through `\(proxy.sectionLabel)` "
                    + (conditional ? "fail when its condition matches" : "fail"),
                fix: conditional ? "make the condition exclude WebSocket requests (e.g. `!{ hdr(upgrade) -i websocket }`)"
                    : "remove the line at \(directive.location) or make it conditional"))
        }
        return findings
    }

    // MARK: - Stats page

    static func statsPage(_ proxy: ConfigProxy, config: ParsedConfig) -> [DoctorFinding] {
        guard proxy.kind != .defaults else { return [] }
        let stats = proxy.effective.filter { $0.keyword == "stats" && $0.words.count >= 2 }
        let enabled = stats.contains { ["enable", "uri", "auth", "admin", "realm", "refresh", "show-legends"].contains($0.words[1]) }
        guard enabled, !stats.contains(where: { $0.words[1] == "disable" }) else { return [] }
        var findings: [DoctorFinding] = []
        let auth = stats.contains { $0.words[1] == "auth" || ($0.words[1] == "http-request" && $0.words.contains("auth")) }
        let admin = stats.first { $0.words[1] == "admin" }
        let anchor = stats.first { $0.words[1] == "enable" || $0.words[1] == "uri" } ?? stats[0]
        if !auth {
            findings.append(finding(
                DoctorCode.statsNoAuth, admin == nil ? .warning : .critical, proxy, at: admin?.location ?? anchor.location,
                admin == nil
                    ? "the stats page has no `stats auth`: anyone who reaches it reads every backend and server address"
                    : "`stats admin` without `stats auth`: anyone who reaches the stats page can drain or disable servers",
                fix: "add `stats auth <user>:<password>` to `\(proxy.sectionLabel)`"
                    + (admin == nil ? "" : " and restrict `stats admin if LOCALHOST`")))
        }
        if proxy.kind != .backend {
            for bind in proxy.own where bind.keyword == "bind" && bind.words.count >= 2 {
                let address = bind.words[1]
                guard isAllInterfaces(address) else { continue }
                findings.append(finding(
                    DoctorCode.statsAllInterfaces, .warning, proxy, at: bind.location,
                    "the stats page is served on `bind \(address)`, every interface of this host",
                    fix: "move the stats lines to their own `listen stats` with `bind 127.0.0.1:8404` (or a management address)"))
                break
            }
        }
        return findings
    }

    /// `*:80`, `:80`, `0.0.0.0:80`, `[::]:80`, `:::80`, `ipv4@:80`.
    static func isAllInterfaces(_ address: String) -> Bool {
        var host = address
        for prefix in ["ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"] where host.hasPrefix(prefix) {
            host.removeFirst(prefix.count)
        }
        guard !host.hasPrefix("/"), !host.hasPrefix("unix@"), !host.hasPrefix("abns@"), !host.hasPrefix("fd@") else { return false }
        if host.hasPrefix("[") {
            return host.hasPrefix("[::]") || host.hasPrefix("[0:0:0:0:0:0:0:0]")
        }
        guard let colon = host.lastIndex(of: ":") else { return host == "*" || host == "0.0.0.0" }
        let name = host[..<colon]
        return name.isEmpty || name == "*" || name == "0.0.0.0" || name == "::" || name == "0:0:0:0:0:0:0:0"
    }
}
