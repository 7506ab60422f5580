extension ProbeTarget {
    /// Parses `ws://host[:port]/path?query` or `wss://...`, the form operators paste from browser consoles.
    ///
    /// Default ports are 80 and 443; IPv6 literals go in brackets (`ws://[::1]:8080/`). Fragments and user info are
    /// refused: RFC 6455 forbids the first and a probe has no use for the second.
    public init(url: String) throws(ProbeTargetError) {
        let scheme: Substring
        let rest: Substring
        if let range = url.firstRange(of: "://") {
            scheme = url[..<range.lowerBound]
            rest = url[range.upperBound...]
        } else {
            throw ProbeTargetError("'\(url)' is not a ws:// or wss:// URL")
        }
        let tls: Bool
        switch scheme.lowercased() {
        case "ws": tls = false
        case "wss": tls = true
        default: throw ProbeTargetError("scheme '\(scheme)' is not ws or wss")
        }
        if rest.contains("#") {
            throw ProbeTargetError("'\(url)' has a fragment, which WebSocket URLs cannot have")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty {
            path = "/"
        } else if path.hasPrefix("?") {
            path = "/" + path
        }
        if authority.contains("@") {
            throw ProbeTargetError("'\(url)' has user info, which a probe does not send")
        }

        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ProbeTargetError("'\(url)' has an unterminated IPv6 literal")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if afterHost.isEmpty {
                portText = nil
            } else if afterHost.hasPrefix(":") {
                portText = afterHost.dropFirst()
            } else {
                throw ProbeTargetError("'\(url)' has text after the IPv6 literal")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        if host.isEmpty {
            throw ProbeTargetError("'\(url)' has no host")
        }
        let port: Int
        if let portText {
            guard let parsed = Int(portText), (1...65_535).contains(parsed) else {
                throw ProbeTargetError("port '\(portText)' is not a number from 1 to 65535")
            }
            port = parsed
        } else {
            port = tls ? 443 : 80
        }
        self.init(host: String(host), port: port, tls: tls, path: path)
        try self.validate()
    }
}
