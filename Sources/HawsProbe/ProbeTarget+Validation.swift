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
