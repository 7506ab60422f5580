/// Per-second rates from HAProxy's cumulative counters, safe across reloads.
///
/// Counters reset on a reload, a restart and `clear counters all`. A counter that went down, or a
/// sample that is not newer than the previous one, gives no rate (`nil`) rather than a negative or
/// absurd number; the next sample starts again from the new base.
public enum CounterRate {
    /// - Parameters:
    ///   - previous: the counter at the earlier sample.
    ///   - current: the counter now.
    ///   - seconds: time between the two samples.
    ///   - reset: true when the instance is known to have reloaded in between.
    public static func perSecond(previous: Int, current: Int, seconds: Double, reset: Bool = false) -> Double? {
        guard !reset, seconds > 0.000_1, current >= previous else { return nil }
        return Double(current - previous) / seconds
    }
}

/// Detects that an HAProxy instance reloaded or restarted between two `show info` samples.
public enum ReloadDetector {
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        case pidChanged(from: Int, to: Int)
        case uptimeWentBack(from: Int, to: Int)

        public var description: String {
            switch self {
            case .pidChanged(let from, let to): "pid changed from \(from) to \(to)"
            case .uptimeWentBack(let from, let to): "uptime went back from \(from)s to \(to)s"
            }
        }
    }

    public static func reload(from previous: InstanceInfo?, to current: InstanceInfo?) -> Reason? {
        guard let previous, let current else { return nil }
        if let old = previous.pid, let new = current.pid, old != new { return .pidChanged(from: old, to: new) }
        if let old = previous.uptimeSeconds, let new = current.uptimeSeconds, new < old {
            return .uptimeWentBack(from: old, to: new)
        }
        return nil
    }
}
