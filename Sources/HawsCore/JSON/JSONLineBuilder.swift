/// Builds one JSON object as UTF-8 bytes, keys in the order they are written.
///
/// Shared by the agent's NDJSON lines and `haws status --json`: Foundation's `JSONEncoder` took most of
/// a `status --json` run at 10,000 servers. The agent writes a line per instance per poll, up to a few megabytes at 10,000 servers, every second:
/// building the bytes directly keeps that cheap, puts `type`, `time` and `instance` first where a person
/// reading the file looks, and writes `null` for every value HAProxy did not give (the schema promises the
/// keys are always there). Non-finite numbers, which JSON cannot carry, become `null`.
public struct JSONLineBuilder: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// One entry per open object or array: whether a value was already written in it (a comma is due).
    private var needsComma: [Bool] = []

    public init(capacity: Int = 1_024) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"key":`; the next value or container belongs to it.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: Values

    public mutating func string(_ value: String?) {
        separate()
        if let value { appendQuoted(value) } else { appendNull() }
    }

    public mutating func int(_ value: Int?) {
        separate()
        if let value { bytes.appendDecimal(value) } else { appendNull() }
    }

    public mutating func double(_ value: Double?) {
        separate()
        guard let value, value.isFinite else { return appendNull() }
        bytes.appendNumber(value)
    }

    public mutating func bool(_ value: Bool?) {
        separate()
        if let value { bytes.appendUTF8(value ? "true" : "false" as StaticString) } else { appendNull() }
    }

    // MARK: Key + value shorthands

    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Int?) {
        key(name)
        int(value)
    }

    public mutating func field(_ name: String, _ value: Double?) {
        key(name)
        double(value)
    }

    public mutating func field(_ name: String, _ value: Bool?) {
        key(name)
        bool(value)
    }

    /// `"name":null`, for an object-valued field that is unknown.
    public mutating func nullField(_ name: String) {
        key(name)
        separate()
        appendNull()
    }

    /// The finished line: the object and a newline.
    public var line: [UInt8] {
        var copy = self
        return copy.takeLine()
    }

    /// The finished line, moved out without copying (a snapshot line at 10,000 servers is megabytes);
    /// the builder is empty afterwards.
    public mutating func takeLine() -> [UInt8] {
        precondition(needsComma.isEmpty, "JSONLineBuilder: a container is still open")
        bytes.append(UInt8(ascii: "\n"))
        defer { bytes = [] }
        return bytes
    }

    // MARK: Internals

    /// True between a key and its value: the value takes no comma.
    private var afterKey = false

    /// Writes the comma between two members of the same container, and marks the container non-empty.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func appendNull() {
        bytes.appendUTF8("null" as StaticString)
    }

    /// RFC 8259 string: quote, backslash and control characters escaped; everything else as UTF-8. Text
    /// without any of those (nearly all) is copied in one piece.
    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            if utf8.isPlainText { return bytes.append(contentsOf: utf8) }
            for byte in utf8 { appendEscaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20, 0x7F:
            let hex: StaticString = "0123456789abcdef"
            bytes.appendUTF8("\\u00" as StaticString)
            hex.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        default:
            bytes.append(byte)
        }
    }
}
