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
    public var hostHeader: String?
    /// The `Origin` header, for backends that check it; `nil` sends none.
    public var origin: String?
    /// Further request headers, sent in order. They may replace `Host`, `Origin` and the offers, but not the headers
    /// the handshake itself owns (`Upgrade`, `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`).
    public var headers: [ProbeHeader]
    /// Subprotocols offered in `Sec-WebSocket-Protocol`; the server may pick one of them or none.
    public var subprotocols: [String]
    /// Extensions offered in `Sec-WebSocket-Extensions` (such as `permessage-deflate`); the server may enable
    /// only these.
    public var extensions: [String]
    /// The TLS SNI (and certificate) name; `nil` uses `host` when it is a name. An IP literal is never sent as SNI.
    /// With no name at all, NIOSSL checks the certificate's IP SANs against the connected address; note that it also
    /// accepts a matching IP SAN when the name does not match, so a wrong name can go unnoticed on such certificates.
    public var serverName: String?

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
        self.hostHeader = hostHeader
        self.origin = origin
        self.headers = headers
        self.subprotocols = subprotocols
        self.extensions = extensions
        self.serverName = serverName
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
