import HawsCore

/// The head of one HTTP/1.1 request read from raw bytes.
///
/// The misbehaving backends answer outside NIO's HTTP pipeline on purpose (NIO would not let them send a broken
/// 101), so they need this small, pure parser; it is tested without sockets.
struct RawHTTPRequestHead: Hashable, Sendable {
    /// The outcome of looking at the bytes received so far.
    enum ParseResult: Hashable, Sendable {
        /// No blank line yet; read more.
        case incomplete
        /// A full head, and how many bytes it used (the rest belongs to the body or the next protocol).
        case complete(RawHTTPRequestHead, consumed: Int)
        /// Not HTTP, or a head larger than the limit.
        case invalid
    }

    /// Heads larger than this are refused rather than buffered without bound.
    static let maximumHeadSize = 16 * 1024

    var method: String
    var target: String
    var version: String
    /// Header fields in order, names as sent.
    var headers: [Field]

    struct Field: Hashable, Sendable {
        var name: String
        var value: String
    }

    /// The first value of the header `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return self.headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether this is an RFC 6455 opening handshake (`Upgrade: websocket` and a `Connection` listing upgrade).
    var isWebSocketUpgrade: Bool {
        guard let upgrade = self.header("Upgrade"), upgrade.lowercased().contains("websocket") else {
            return false
        }
        let connection = self.headers.filter { $0.name.lowercased() == "connection" }.map { $0.value.lowercased() }
        return connection.contains { $0.contains("upgrade") }
    }

    /// Parses the head at the start of `bytes`: framing and field lines as ``HTTPHead`` reads them, then the
    /// request line.
    static func parse(_ bytes: some Collection<UInt8>) -> ParseResult {
        let array = Array(bytes)
        return array.withUnsafeBytes { raw in
            guard let end = HTTPHead.end(of: raw) else {
                return array.count > maximumHeadSize ? .invalid : .incomplete
            }
            guard end <= maximumHeadSize else {
                return .invalid
            }
            var lines = HTTPHead.Lines(UnsafeRawBufferPointer(rebasing: raw[..<end]))
            guard let first = lines.next() else {
                return .invalid
            }
            let requestLine = String(decoding: first, as: UTF8.self).split(separator: " ")
            guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/") else {
                return .invalid
            }
            var fields: [Field] = []
            while let line = lines.next(), !line.isEmpty {
                guard let field = HTTPHead.field(line) else {
                    return .invalid
                }
                fields.append(Field(name: field.name, value: field.value))
            }
            let head = RawHTTPRequestHead(
                method: String(requestLine[0]),
                target: String(requestLine[1]),
                version: String(requestLine[2]),
                headers: fields
            )
            return .complete(head, consumed: end)
        }
    }
}
