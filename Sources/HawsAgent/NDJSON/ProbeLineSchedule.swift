#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsMonitor
import HawsProbe

/// Which new probe results get a `probe` line: a change, or a refresh once per interval.
///
/// One line per probe per server was 1.5 KB a server a round: 1.5 MB every 10 s at 10,000 servers. A line is now
/// written when an object is first seen and whenever what it says changes (pass or fail, the failure code, health,
/// the target or mode, the reason it is not probeable), and otherwise once per ``refreshInterval`` (with its window
/// figures then current), so the file still holds every object's whole probe picture within one interval.
///
/// Stateless: both are decided against the object's previous board entry, which the caller holds anyway. A change is
/// a difference from it (every change gets a line, so it is what the last line said); a refresh is due when the
/// object's own refresh time, one per interval, fell between that entry's result and this one. Each object's refresh
/// times are offset by a fraction of the interval taken from its key, so 10,000 refreshes spread over the interval
/// instead of landing in one round. (A dictionary of what was written, a hash and a date per object, was ~120 bytes
/// a server, 1.2 MB of the agent at 10,000 servers.)
public struct ProbeLineSchedule: Sendable {
    public let refreshInterval: Duration

    public init(refreshInterval: Duration = .seconds(300)) {
        self.refreshInterval = refreshInterval
    }

    /// Whether `entry` (news of a board, its result at `time`) gets a line, given the object's entry on the previous
    /// board and when that one's result came (`nil` for an object first seen).
    public func shouldWrite(_ entry: ProbeBoard.Entry, at time: Date, previous: (entry: ProbeBoard.Entry, at: Date)?)
        -> Bool
    {
        guard let previous, Self.state(previous.entry) == Self.state(entry) else { return true }
        let interval = self.refreshInterval.seconds
        guard interval > 0 else { return true }
        // The key's hash is seeded per process: the offsets are spread, and stable for the agent's lifetime.
        let offset = Double(UInt(bitPattern: entry.key.hashValue) % 1_000_000) / 1_000_000 * interval
        let period = { (date: Date) in ((date.timeIntervalSince1970 + offset) / interval).rounded(.down) }
        return period(time) != period(previous.at)
    }

    /// What a line says that matters enough for a line of its own when it changes.
    private static func state(_ entry: ProbeBoard.Entry) -> Int {
        var hasher = Hasher()
        hasher.combine(entry.notProbeable)
        hasher.combine(entry.target?.url)
        hasher.combine(entry.mode?.name)
        hasher.combine(entry.lastPassed)
        hasher.combine(entry.lastResult?.failure?.code)
        hasher.combine(entry.health.state)
        hasher.combine(entry.health.failureCode)
        return hasher.finalize()
    }
}
