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
/// figures then current), so the file still holds every object's whole probe picture within one interval. Each
/// object's refresh falls at a random point in the last quarter of its interval, so 10,000 refreshes spread out
/// instead of landing in one round. Memory: one hash and a date per object, pruned to the board's objects.
public struct ProbeLineSchedule: Sendable {
    public let refreshInterval: Duration
    private var written: [ProbeKey: (state: Int, due: Date)] = [:]

    public init(refreshInterval: Duration = .seconds(300)) {
        self.refreshInterval = refreshInterval
    }

    /// Whether `entry` (news of a board) gets a line at `time`; remembers it when it does.
    public mutating func shouldWrite(_ entry: ProbeBoard.Entry, at time: Date) -> Bool {
        let state = Self.state(entry)
        if let last = self.written[entry.key], last.state == state, time < last.due {
            return false
        }
        let spread = self.refreshInterval.seconds * Double.random(in: 0.75...1)
        self.written[entry.key] = (state, time.addingTimeInterval(spread))
        return true
    }

    /// Forgets objects that left the board.
    public mutating func keep(only board: ProbeBoard) {
        if self.written.count > board.entries.count || self.written.keys.contains(where: { board[$0] == nil }) {
            self.written = self.written.filter { board[$0.key] != nil }
        }
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
