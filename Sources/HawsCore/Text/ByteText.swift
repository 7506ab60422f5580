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
        withUnsafeTemporaryAllocation(byteCount: DecimalText.maximumLength, alignment: 1) { digits in
            let count = DecimalText.write(value, to: digits.baseAddress!)
            append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[0..<count]))
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

/// Decimal integers written straight into memory, for the byte writers (NDJSON, Prometheus, `--json`).
public enum DecimalText {
    /// The most bytes ``write(_:to:)`` writes: `-9223372036854775808`.
    public static let maximumLength = 20

    /// Writes `value` in decimal at `target` (room for ``maximumLength`` bytes); returns the count written.
    @inlinable
    public static func write(_ value: Int, to target: UnsafeMutableRawPointer) -> Int {
        var at = 0
        if value < 0 {
            target.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            at = 1
        }
        var remaining = value.magnitude
        var digits = 1
        var probe = remaining
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var index = at + digits - 1
        repeat {
            target.storeBytes(
                of: UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0"), toByteOffset: index, as: UInt8.self)
            remaining /= 10
            index -= 1
        } while remaining > 0
        return at + digits
    }
}
