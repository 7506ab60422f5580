/// A size in bytes as people write it: `100MB`, `512KiB`, `1G`, `1048576`.
///
/// K, M and G (with or without `B` or `iB`, any case) are powers of 1024, as in logrotate's `size 100M`:
/// one convention, whichever spelling is used.
public struct ByteCount: Sendable, Hashable, CustomStringConvertible {
    public let bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }

    public init(parsing text: String) throws(AgentSettingError) {
        let compact = text.filter { !$0.isWhitespace }.lowercased()
        let digits = compact.prefix { $0.isNumber }
        let unit = compact.dropFirst(digits.count)
        let multiplier: Int64? =
            switch unit {
            case "", "b": 1
            case "k", "kb", "kib": 1 << 10
            case "m", "mb", "mib": 1 << 20
            case "g", "gb", "gib": 1 << 30
            default: nil
            }
        guard let multiplier, let value = Int64(digits), value > 0, value <= Int64.max / multiplier else {
            throw AgentSettingError(
                .invalidSize, "'\(text)': expected a size such as 100MB, 512KB or 1GB (units of 1024)")
        }
        self.bytes = value * multiplier
    }

    public var description: String {
        for (unit, size) in [("GB", Int64(1) << 30), ("MB", 1 << 20), ("KB", 1 << 10)] where bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)B"
    }
}
