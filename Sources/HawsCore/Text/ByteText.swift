/// Appending text to a byte buffer without going through `String`: the agent writes megabytes of NDJSON
/// and Prometheus text per poll at 10,000 servers, and per-value `String(value)` or per-byte appends were
/// most of that cost.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `text` in one copy.
    @inlinable
    public mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 bytes of a static string (a key, a metric name) in one copy.
    @inlinable
    public mutating func appendUTF8(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `value` in decimal, with a leading `-` when negative.
    @inlinable
    public mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var remaining = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0")
                remaining /= 10
            } while remaining > 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// Appends a number as JSON and Prometheus both read it: integers without a fraction, others in
    /// Swift's shortest round-trip form.
    @inlinable
    public mutating func appendNumber(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            appendDecimal(Int(value))
        } else {
            appendUTF8(value.description)
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether these UTF-8 bytes need no escaping in a JSON string or a Prometheus label value: no quote,
    /// no backslash, no control character. Nearly every name and status is like that, and is then copied
    /// whole instead of byte by byte.
    @inlinable
    public var isPlainText: Bool {
        for byte in self where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F {
            return false
        }
        return true
    }
}
