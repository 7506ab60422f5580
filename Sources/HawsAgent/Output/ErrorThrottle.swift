#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Decides when a recurring failure is worth a line on stderr: the first time, then at most once per
/// interval, saying how many occurrences were not reported in between.
///
/// A full disk fails every write, several times a second; one line a minute tells the operator without
/// flooding the journal that is probably on the same disk. Pure, with the time passed in, so the
/// once-a-minute rule is tested without waiting a minute.
public struct ErrorThrottle: Sendable {
    public let interval: TimeInterval
    private var lastReport: Date?
    private var unreported = 0

    public init(interval: TimeInterval = 60) {
        self.interval = interval
    }

    /// Records one failure at `now`.
    ///
    /// - Returns: `nil` when it should not be reported; otherwise how many failures since the previous
    ///   report went unreported (0 the first time).
    public mutating func failure(at now: Date) -> Int? {
        if let lastReport, now.timeIntervalSince(lastReport) < interval {
            unreported += 1
            return nil
        }
        let skipped = unreported
        lastReport = now
        unreported = 0
        return skipped
    }

    /// Forgets past failures once things work again, so the next failure is reported at once.
    ///
    /// - Returns: whether a failure had been seen (a recovery worth saying).
    public mutating func recovered() -> Bool {
        defer {
            lastReport = nil
            unreported = 0
        }
        return lastReport != nil
    }
}
