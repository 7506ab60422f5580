/// The byte-level rules of an HTTP/1.x message head, shared by every head haws reads from raw bytes: the probe's
/// response head (``ResponseHeadParser`` in HawsProbe) and the lab's request head (`RawHTTPRequestHead`).
///
/// Where the head ends, how it splits into lines, and what a header field line is. The start line (status line or
/// request line) and the limits stay with each reader, which knows what it expects. Pure, no allocation beyond the
/// field strings. The stats page client reads whole responses with NIOHTTP1's decoder and does not use this.
public enum HTTPHead {
    /// The index just past the blank line that ends the head (`\r\n\r\n`, or bare `\n` line ends); nil if it has
    /// not arrived.
    public static func end(of bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        var lineStart = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                let length = index - lineStart
                if length == 0 || (length == 1 && bytes[lineStart] == UInt8(ascii: "\r")) {
                    return index + 1
                }
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }

    /// The lines of a head, without their `\r\n` or `\n`, each rebased to start at index 0; the blank line that
    /// ends the head is the last one returned (empty).
    public struct Lines: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var start = 0

        public init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        public mutating func next() -> UnsafeRawBufferPointer? {
            guard self.start < self.bytes.count,
                let newline = self.bytes[self.start...].firstIndex(of: UInt8(ascii: "\n"))
            else {
                return nil
            }
            var end = newline
            if end > self.start, self.bytes[end - 1] == UInt8(ascii: "\r") {
                end -= 1
            }
            defer { self.start = newline + 1 }
            return UnsafeRawBufferPointer(rebasing: self.bytes[self.start..<end])
        }
    }

    /// A header field line as its name and value (optional whitespace around the value dropped); nil when the line
    /// is no field: no colon, or a name that is not an RFC 9110 token (empty, a space, a byte above 0x7F).
    public static func field(_ line: UnsafeRawBufferPointer) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            return nil
        }
        let name = line[..<colon]
        guard name.allSatisfy(Self.isTokenCharacter) else {
            return nil
        }
        var value = line[(colon + 1)...]
        while let first = value.first, Self.isSpace(first) { value = value.dropFirst() }
        while let last = value.last, Self.isSpace(last) { value = value.dropLast() }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// `tchar` of RFC 9110 section 5.6.2: letters, digits and ``!#$%&'*+-.^_`|~``.
    public static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// A space or a tab: HTTP's optional whitespace (RFC 9110 "OWS").
    public static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}

/// HTTP header values allow optional spaces and tabs around them (RFC 9110 "OWS"); comparisons must ignore them.
extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    public var trimmingOptionalWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }) else {
            return ""
        }
        let last = self.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
