#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Compact number and time formats that fit the narrow columns of the table.
public enum Format {
    /// `987`, `12.3k`, `4.5M`.
    public static func count(_ value: Int) -> String {
        let magnitude = abs(value)
        if magnitude < 10_000 { return String(value) }
        return scaled(Double(value), units: ["", "k", "M", "G", "T"])
    }

    /// Per-second rates: `0`, `0.4`, `12`, `1.2k`.
    public static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value == 0 { return "0" }
        if abs(value) < 0.05 { return "<0.1" }
        if abs(value) < 10 { return String(printf: "%.1f", value) }
        if abs(value) < 10_000 { return String(Int(value.rounded())) }
        return scaled(value, units: ["", "k", "M", "G", "T"])
    }

    /// Bytes per second: `512B`, `1.2K`, `34M`.
    public static func bytes(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if abs(value) < 1_000 { return "\(Int(value.rounded()))B" }
        return scaled(value, units: ["B", "K", "M", "G", "T"])
    }

    /// Ages and intervals: `45s`, `3m05s`, `1h02m`, `2d03h`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        let total = Int(seconds.rounded(.down))
        if total < 60 {
            return seconds < 10 && seconds != seconds.rounded(.down) ? String(printf: "%.1fs", seconds) : "\(total)s"
        }
        if total < 3_600 { return String(printf: "%dm%02ds", total / 60, total % 60) }
        if total < 86_400 { return String(printf: "%dh%02dm", total / 3_600, (total % 3_600) / 60) }
        return String(printf: "%dd%02dh", total / 86_400, (total % 86_400) / 3_600)
    }

    /// `0.8ms`, `12ms`, `1.3s`.
    public static func milliseconds(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value < 10 { return String(printf: "%.1fms", value) }
        if value < 1_000 { return "\(Int(value.rounded()))ms" }
        return String(printf: "%.1fs", value / 1_000)
    }

    /// `14:03:09` in local time.
    public static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + TimeZone.current.secondsFromGMT(for: date)
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return String(printf: "%02d:%02d:%02d", day / 3_600, (day % 3_600) / 60, day % 60)
    }

    private static func scaled(_ value: Double, units: [String]) -> String {
        var scaled = value
        var index = 0
        while abs(scaled) >= 1_000, index < units.count - 1 {
            scaled /= 1_000
            index += 1
        }
        return abs(scaled) < 10
            ? String(printf: "%.1f", scaled) + units[index] : "\(Int(scaled.rounded()))\(units[index])"
    }
}
