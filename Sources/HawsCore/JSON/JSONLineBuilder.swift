/// Builds one JSON object as UTF-8 bytes, keys in the order they are written.
///
/// Shared by the agent's NDJSON lines and `haws status --json`: Foundation's `JSONEncoder` took most of
/// a `status --json` run at 10,000 servers. The agent writes a line per instance per poll, about 5 MB at
/// 10,000 servers, every second: building the bytes directly keeps that cheap, puts `type`, `time` and
/// `instance` first where a person reading the file looks, and writes `null` for every value HAProxy did
/// not give (the schema promises the keys are always there). Non-finite numbers, which JSON cannot carry,
/// become `null`.
///
/// Each token is written with one capacity check into room kept ahead of the text (``bytes`` is longer
/// than the document; ``length`` ends it): appending byte by byte to an array checked its uniqueness and
/// capacity several times per field and was most of the agent's NDJSON time.
public struct JSONLineBuilder: Sendable {
    /// `bytes[0..<length]` is the document so far; the rest is zeroed room, added 64 KB at a time within
    /// the reserved capacity, so memory is touched only as the document grows.
    private var bytes: [UInt8] = []
    private var length = 0
    /// Open objects and arrays (at most 64 deep), and per depth whether a value was already written in
    /// that container (bit `depth - 1` set: a comma is due before the next one).
    private var depth = 0
    private var needsComma: UInt64 = 0
    /// True between a key and its value: the value takes no comma.
    fileprivate var afterKey = false

    public init(capacity: Int = 1_024) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        put(UInt8(ascii: "{"))
        open()
    }

    public mutating func endObject() {
        precondition(depth > 0, "JSONLineBuilder: no container to close")
        depth -= 1
        put(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        put(UInt8(ascii: "["))
        open()
    }

    public mutating func endArray() {
        precondition(depth > 0, "JSONLineBuilder: no container to close")
        depth -= 1
        put(UInt8(ascii: "]"))
    }

    /// Writes `"key":`; the next value or container belongs to it.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name, then: UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: Values

    public mutating func string(_ value: String?) {
        separate()
        if let value { appendQuoted(value, then: nil) } else { appendNull() }
    }

    public mutating func int(_ value: Int?) {
        separate()
        guard let value else { return appendNull() }
        write(reserving: DecimalText.maximumLength) { DecimalText.write(value, to: UnsafeMutableRawPointer($0)) }
    }

    public mutating func double(_ value: Double?) {
        separate()
        guard let value, value.isFinite else { return appendNull() }
        if value == value.rounded(), abs(value) < 1e15 {
            write(reserving: DecimalText.maximumLength) {
                DecimalText.write(Int(value), to: UnsafeMutableRawPointer($0))
            }
        } else {
            appendRaw(value.description)
        }
    }

    public mutating func bool(_ value: Bool?) {
        separate()
        guard let value else { return appendNull() }
        appendRaw(value ? "true" : "false")
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
        precondition(depth == 0, "JSONLineBuilder: a container is still open")
        return Array(bytes[0..<length]) + [UInt8(ascii: "\n")]
    }

    /// The finished line, moved out without copying (a snapshot line at 10,000 servers is megabytes);
    /// the builder is empty afterwards.
    public mutating func takeLine() -> [UInt8] {
        precondition(depth == 0, "JSONLineBuilder: a container is still open")
        put(UInt8(ascii: "\n"))
        bytes.removeSubrange(length...)
        length = 0
        defer { bytes = [] }
        return bytes
    }

    /// The document written so far, moved out so the builder can go on with the same line: a line of megabytes
    /// is then written in parts of a bounded size instead of held whole (``takeLine()`` ends it). The builder
    /// keeps its room, so the parts reuse one buffer.
    public mutating func takePart() -> [UInt8] {
        let part = Array(bytes[0..<length])
        length = 0
        return part
    }

    /// Bytes written since the builder began or since the last ``takePart()``.
    public var pendingBytes: Int { length }

    // MARK: Internals

    /// Writes the comma between two members of the same container, and marks the container non-empty.
    fileprivate mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if needsComma & bit != 0 { put(UInt8(ascii: ",")) }
        needsComma |= bit
    }

    /// Enters a new container, empty so far.
    private mutating func open() {
        precondition(depth < 64, "JSONLineBuilder: more than 64 nested containers")
        needsComma &= ~(1 << UInt64(depth))
        depth += 1
    }

    /// Gives `body` room for `count` bytes at the end of the document; it returns how many it wrote.
    @inline(__always)
    fileprivate mutating func write(reserving count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if length + count > bytes.count {
            // An array, not `repeatElement`: unspecialized (a debug build, as the tests and sanitizers run it),
            // appending a `Repeated` went through the generic iterator a byte at a time, 0.8 s per 64 KB on a
            // loaded 2-core machine and 1.8 s under ThreadSanitizer, for every builder (each `JSONKey` too);
            // `Array(repeating:count:)` fills in one pass (13 µs). Optimized builds specialize both alike.
            bytes.append(contentsOf: [UInt8](repeating: 0, count: max(length + count - bytes.count, 64 << 10)))
        }
        let start = length
        length += bytes.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
    }

    private mutating func put(_ byte: UInt8) {
        write(reserving: 1) {
            $0.pointee = byte
            return 1
        }
    }

    fileprivate mutating func appendNull() {
        appendRaw("null")
    }

    /// Bytes that need no escaping (literals, numbers' text).
    private mutating func appendRaw(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            write(reserving: utf8.count) { target in
                target.update(from: utf8.baseAddress!, count: utf8.count)
                return utf8.count
            }
        }
    }

    /// RFC 8259 string: quote, backslash and control characters escaped; everything else as UTF-8. Text
    /// without any of those (nearly all) is copied in one piece, with its quotes and `then` (a key's colon).
    private mutating func appendQuoted(_ text: String, then trailer: UInt8?) {
        var text = text
        text.withUTF8 { utf8 in
            if utf8.isPlainText {
                write(reserving: utf8.count + 3) { target in
                    target[0] = UInt8(ascii: "\"")
                    if let base = utf8.baseAddress { (target + 1).update(from: base, count: utf8.count) }
                    target[utf8.count + 1] = UInt8(ascii: "\"")
                    guard let trailer else { return utf8.count + 2 }
                    target[utf8.count + 2] = trailer
                    return utf8.count + 3
                }
                return
            }
            put(UInt8(ascii: "\""))
            for byte in utf8 { appendEscaped(byte) }
            put(UInt8(ascii: "\""))
            if let trailer { put(trailer) }
        }
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): appendRaw("\\\"")
        case UInt8(ascii: "\\"): appendRaw("\\\\")
        case UInt8(ascii: "\n"): appendRaw("\\n")
        case UInt8(ascii: "\r"): appendRaw("\\r")
        case UInt8(ascii: "\t"): appendRaw("\\t")
        case 0..<0x20, 0x7F:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            appendRaw("\\u00")
            put(hex[Int(byte >> 4)])
            put(hex[Int(byte & 0x0F)])
        default:
            put(byte)
        }
    }
}

/// An object key rendered once (`"name":`), for keys written thousands of times per line (every server of a
/// 10,000-server snapshot has the same twenty): writing it is one copy, with no escaping check.
public struct JSONKey: Sendable {
    fileprivate let token: [UInt8]

    public init(_ name: String) {
        var builder = JSONLineBuilder(capacity: name.utf8.count + 8)
        builder.beginObject()
        builder.key(name)
        builder.int(0)
        builder.endObject()
        let line = builder.takeLine()  // {"name":0}\n
        token = Array(line[1..<(line.count - 3)])
    }
}

extension JSONLineBuilder {
    /// Writes a prepared `"key":`; the next value or container belongs to it.
    public mutating func key(_ key: JSONKey) {
        separate()
        let token = key.token
        write(reserving: token.count) { target in
            token.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: $0.count) }
            return token.count
        }
        afterKey = true
    }

    public mutating func field(_ name: JSONKey, _ value: String?) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: JSONKey, _ value: Int?) {
        key(name)
        int(value)
    }

    public mutating func field(_ name: JSONKey, _ value: Double?) {
        key(name)
        double(value)
    }

    public mutating func field(_ name: JSONKey, _ value: Bool?) {
        key(name)
        bool(value)
    }

    /// `"name":null`, for an object-valued field that is unknown.
    public mutating func nullField(_ name: JSONKey) {
        key(name)
        separate()
        appendNull()
    }
}
