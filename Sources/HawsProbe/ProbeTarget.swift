import NIOCore

/// One WebSocket endpoint to probe, with everything that shapes its handshake.
///
/// Probes connect by address (HAProxy's `addr` column is already an IP) but the handshake may need a name: the
/// `Host` header and the TLS SNI name are separate fields so a probe can reach one server of a backend by IP while
/// presenting the public virtual host, exactly as HAProxy would forward a browser's request.
public struct ProbeTarget: Sendable, Hashable, Codable, Identifiable, CustomStringConvertible {
    /// An IP literal (connected to directly) or a name (resolved once per probe).
    public var host: String
    /// The TCP port.
    public var port: Int
    /// Whether to speak TLS (`wss://`).
    public var tls: Bool
    /// The request target: path and optional query, starting with `/`.
    public var path: String
    /// The `Host` header; `nil` sends `host:port`.
    public var hostHeader: String? {
        get { self.request?.fields.hostHeader }
        set { self.changeRequest { $0.hostHeader = newValue } }
    }
    /// The `Origin` header, for backends that check it; `nil` sends none.
    public var origin: String? {
        get { self.request?.fields.origin }
        set { self.changeRequest { $0.origin = newValue } }
    }
    /// Further request headers, sent in order. They may replace `Host`, `Origin` and the offers, but not the headers
    /// the handshake itself owns (`Upgrade`, `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`).
    public var headers: [ProbeHeader] {
        get { self.request?.fields.headers ?? [] }
        set { self.changeRequest { $0.headers = newValue } }
    }
    /// Subprotocols offered in `Sec-WebSocket-Protocol`; the server may pick one of them or none.
    public var subprotocols: [String] {
        get { self.request?.fields.subprotocols ?? [] }
        set { self.changeRequest { $0.subprotocols = newValue } }
    }
    /// Extensions offered in `Sec-WebSocket-Extensions` (such as `permessage-deflate`); the server may enable
    /// only these.
    public var extensions: [String] {
        get { self.request?.fields.extensions ?? [] }
        set { self.changeRequest { $0.extensions = newValue } }
    }
    /// The TLS SNI (and certificate) name; `nil` uses `host` when it is a name. An IP literal is never sent as SNI.
    /// With no name at all, NIOSSL checks the certificate's IP SANs against the connected address; note that it also
    /// accepts a matching IP SAN when the name does not match, so a wrong name can go unnoticed on such certificates.
    public var serverName: String? {
        get { self.request?.fields.serverName }
        set { self.changeRequest { $0.serverName = newValue } }
    }

    /// The request's optional parts, boxed; `nil` while all are at their defaults (a server probed by address:
    /// almost every target). A target is held by every server's board entry and by each round's plan: inline, these
    /// six fields were 72 of its 120 bytes, 0.7 MB at 10,000 servers in the entries alone and as much again in every
    /// round's plan. Boxed they cost a reference; copies of a target (``at(host:port:)``) share the box.
    private(set) var request: Request?

    /// The optional parts of the request, as one immutable value behind a reference.
    final class Request: Sendable, Hashable {
        struct Fields: Sendable, Hashable {
            var hostHeader: String?
            var origin: String?
            var headers: [ProbeHeader] = []
            var subprotocols: [String] = []
            var extensions: [String] = []
            var serverName: String?
        }

        let fields: Fields

        init(_ fields: Fields) { self.fields = fields }

        static func == (lhs: Request, rhs: Request) -> Bool { lhs === rhs || lhs.fields == rhs.fields }
        func hash(into hasher: inout Hasher) { hasher.combine(self.fields) }
    }

    private mutating func changeRequest(_ change: (inout Request.Fields) -> Void) {
        var fields = self.request?.fields ?? Request.Fields()
        change(&fields)
        self.request = fields == Request.Fields() ? nil : Request(fields)
    }

    public init(
        host: String,
        port: Int,
        tls: Bool = false,
        path: String = "/",
        hostHeader: String? = nil,
        origin: String? = nil,
        headers: [ProbeHeader] = [],
        subprotocols: [String] = [],
        extensions: [String] = [],
        serverName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.path = path
        let fields = Request.Fields(
            hostHeader: hostHeader, origin: origin, headers: headers, subprotocols: subprotocols,
            extensions: extensions, serverName: serverName)
        self.request = fields == Request.Fields() ? nil : Request(fields)
    }

    /// This target at another address, sharing its request's box: what every server of one backend's settings is
    /// probed as (one box per backend, not one per server).
    public func at(host: String, port: Int) -> ProbeTarget {
        var target = self
        target.host = host
        target.port = port
        return target
    }

    enum CodingKeys: String, CodingKey {
        case host, port, tls, path, hostHeader, origin, headers, subprotocols, extensions, serverName
    }

    // The same form as the synthesized conformance of when these six were stored properties.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(String.self, forKey: .host),
            port: try c.decode(Int.self, forKey: .port),
            tls: try c.decode(Bool.self, forKey: .tls),
            path: try c.decode(String.self, forKey: .path),
            hostHeader: try c.decodeIfPresent(String.self, forKey: .hostHeader),
            origin: try c.decodeIfPresent(String.self, forKey: .origin),
            headers: try c.decode([ProbeHeader].self, forKey: .headers),
            subprotocols: try c.decode([String].self, forKey: .subprotocols),
            extensions: try c.decode([String].self, forKey: .extensions),
            serverName: try c.decodeIfPresent(String.self, forKey: .serverName))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.host, forKey: .host)
        try c.encode(self.port, forKey: .port)
        try c.encode(self.tls, forKey: .tls)
        try c.encode(self.path, forKey: .path)
        try c.encodeIfPresent(self.hostHeader, forKey: .hostHeader)
        try c.encodeIfPresent(self.origin, forKey: .origin)
        try c.encode(self.headers, forKey: .headers)
        try c.encode(self.subprotocols, forKey: .subprotocols)
        try c.encode(self.extensions, forKey: .extensions)
        try c.encodeIfPresent(self.serverName, forKey: .serverName)
    }

    /// The target as a `ws://` or `wss://` URL, also its identity in statistics.
    public var url: String {
        let scheme = self.tls ? "wss" : "ws"
        return "\(scheme)://\(self.authority)\(self.path)"
    }

    public var id: String { self.url }

    public var description: String { self.url }

    /// `host:port`, with IPv6 literals in brackets as URLs and `Host` headers require.
    public var authority: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(host):\(self.port)"
    }

    /// The `Host` header actually sent.
    public var effectiveHostHeader: String {
        self.hostHeader ?? self.authority
    }

    /// Whether `host` is an IPv4 or IPv6 literal (connected to without resolving).
    public var hostIsIPLiteral: Bool {
        Self.isIPLiteral(self.host)
    }

    /// The SNI name actually sent: `serverName`, else `host` when it is a name; never an IP literal (RFC 6066
    /// forbids it, and NIOSSL would refuse the connection).
    public var effectiveServerName: String? {
        if let serverName = self.serverName, !serverName.isEmpty, !Self.isIPLiteral(serverName) {
            return serverName
        }
        return self.hostIsIPLiteral ? nil : self.host
    }

    static func isIPLiteral(_ text: String) -> Bool {
        (try? SocketAddress(ipAddress: text, port: 0)) != nil
    }
}

/// One extra request header; a struct rather than a tuple so targets stay `Hashable` and `Codable`.
public struct ProbeHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Why a target (or a `ws://` URL) cannot be probed as written; raised before any socket opens.
public struct ProbeTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the offending part.
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "invalid probe target: \(self.reason)" }
}

extension ProbeTarget {
    /// Header names the handshake itself writes; a duplicate from the caller would make the request ambiguous.
    static let reservedHeaderNames: Set<String> = [
        "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
    ]

    /// Refuses what would produce a malformed request or a request-smuggling header, before any socket opens.
    ///
    /// ``Prober`` calls it and reports `invalid_target`; callers building targets from config can call it early to
    /// point at the bad line.
    public func validate() throws(ProbeTargetError) {
        if self.host.isEmpty || self.host.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ProbeTargetError("host '\(self.host)' is empty or contains spaces or slashes")
        }
        if !(1...65_535).contains(self.port) {
            throw ProbeTargetError("port \(self.port) is not from 1 to 65535")
        }
        if !self.path.hasPrefix("/") || self.path.contains(where: { $0.isWhitespace || $0 == "#" }) {
            throw ProbeTargetError("path '\(self.path)' must start with '/' and have no spaces or fragment")
        }
        for value in [self.hostHeader, self.origin, self.serverName].compactMap({ $0 }) where !Self.isFieldValue(value)
        {
            throw ProbeTargetError("header value '\(value)' contains a line break or control character")
        }
        for header in self.headers {
            if !Self.isToken(header.name) {
                throw ProbeTargetError("header name '\(header.name)' is not an HTTP token")
            }
            if Self.reservedHeaderNames.contains(header.name.lowercased()) {
                throw ProbeTargetError("header '\(header.name)' is set by the WebSocket handshake itself")
            }
            if !Self.isFieldValue(header.value) {
                throw ProbeTargetError("value of header '\(header.name)' contains a line break or control character")
            }
        }
        for subprotocol in self.subprotocols where !Self.isToken(subprotocol) {
            throw ProbeTargetError("subprotocol '\(subprotocol)' is not an HTTP token")
        }
        for offered in self.extensions {
            let name = HandshakeVerifier.extensionName(offered)
            if !Self.isToken(name) || !Self.isFieldValue(offered) {
                throw ProbeTargetError("extension offer '\(offered)' is not 'token[; params]'")
            }
        }
    }

    /// RFC 9110 `token`: what header names, subprotocols and extension names must be.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    /// A header value without CR, LF or other control characters (tab allowed).
    static func isFieldValue(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }
}

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
