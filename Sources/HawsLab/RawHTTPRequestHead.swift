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

    /// Parses the head at the start of `bytes`.
    static func parse(_ bytes: some Collection<UInt8>) -> ParseResult {
        let array = Array(bytes)
        guard let end = findHeadEnd(array) else {
            return array.count > maximumHeadSize ? .invalid : .incomplete
        }
        guard end <= maximumHeadSize else {
            return .invalid
        }
        let text = String(decoding: array[..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else {
            return .invalid
        }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/") else {
            return .invalid
        }
        var fields: [Field] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                return .invalid
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingSpaces()
            fields.append(Field(name: name, value: value))
        }
        let head = RawHTTPRequestHead(
            method: String(requestLine[0]),
            target: String(requestLine[1]),
            version: String(requestLine[2]),
            headers: fields
        )
        return .complete(head, consumed: end + 4)
    }

    /// The index of the `\r\n\r\n` that ends the head, if present.
    private static func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else {
            return nil
        }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" {
            slice = slice.dropFirst()
        }
        while let last = slice.last, last == " " || last == "\t" {
            slice = slice.dropLast()
        }
        return String(slice)
    }
}
