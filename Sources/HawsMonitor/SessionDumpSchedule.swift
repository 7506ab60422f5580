import HawsCore

/// When the next `show sess all` runs: as often as configured while the counters leave some server's count
/// open, rarely while they give every count (the dump is then read only for tunnel ages), and never more
/// often than its measured cost allows.
///
/// A dump pauses HAProxy's threads while it fills each buffer, and its cost grows with every open stream
/// (about 12 µs of HAProxy time per stream on 2.6: 70 ms at 5,000 tunnels, 1.2 s at 100,000). Spacing dumps
/// by HAProxy's time on each (``SessionDumpCost/haproxySeconds``, not the longer wall time of the rate-paced
/// read) divided by ``budget`` keeps HAProxy's time spent on them under that share of one core at any scale,
/// without a setting the operator has to know.
public struct SessionDumpSchedule: Sendable, Hashable {
    /// Why the interval is what it is.
    public enum Reason: String, Sendable, Hashable {
        /// Some server's count needs the dump: the configured interval (`--sessions-interval`).
        case counts
        /// The counters give every count; the dump refreshes tunnel ages only.
        case ages
        /// The dump's cost stretched the interval past the other two (haws's budget for HAProxy's time).
        case budget
    }

    /// The shortest interval, while counts need the dump (`--sessions-interval`, 5 s).
    public var minimumInterval: Duration
    /// The interval while the dump is read for tunnel ages only.
    public var agesInterval: Duration
    /// The share of one core of HAProxy's time that dumps may take (0.005: 0.5%).
    public var budget: Double

    public init(minimumInterval: Duration = .seconds(5), agesInterval: Duration = .seconds(60), budget: Double = 0.005) {
        self.minimumInterval = minimumInterval
        self.agesInterval = max(agesInterval, minimumInterval)
        self.budget = budget
    }

    /// The interval from the start of a dump that took HAProxy `dumpSeconds` to the start of the next one.
    public func interval(afterDumpTaking dumpSeconds: Double, countsNeedDump: Bool) -> (interval: Duration, reason: Reason) {
        let base = countsNeedDump ? minimumInterval : agesInterval
        guard budget > 0, dumpSeconds > 0 else { return (base, countsNeedDump ? .counts : .ages) }
        let byCost = dumpSeconds / budget
        if byCost > base.seconds {
            return (.milliseconds(Int64((byCost * 1_000).rounded(.up))), .budget)
        }
        return (base, countsNeedDump ? .counts : .ages)
    }

    /// The interval after a dump round that cost `cost`: charged with HAProxy's time on it
    /// (``SessionDumpCost/haproxySeconds``), not with the wall time of a read paced slower than HAProxy writes.
    public func interval(after cost: SessionDumpCost, countsNeedDump: Bool) -> (interval: Duration, reason: Reason) {
        interval(afterDumpTaking: cost.haproxySeconds, countsNeedDump: countsNeedDump)
    }
}

/// What watching one instance costs HAProxy and haws: the last poll's commands, the `show sess all` rounds,
/// and the interval the dumps run at now.
public struct InstanceCost: Sendable, Hashable {
    /// Running totals of one command.
    public struct Totals: Sendable, Hashable {
        public var calls = 0
        public var seconds = 0.0
        public var bytes = 0
    }

    /// The last stats poll's commands (`show stat`, `show info`, ...), each with its time and bytes.
    public var lastCommands: [CommandCost] = []
    /// Every command since start, by name (`show sess all` included), for counters.
    public var totals: [String: Totals] = [:]
    /// The last `show sess all` round (current and old workers).
    public var lastSessionDump: SessionDumpCost?
    /// The interval between dumps now in force, and why; `nil` before the first dump.
    public var sessionInterval: Duration?
    public var sessionIntervalReason: SessionDumpSchedule.Reason?

    public init() {}

    /// Whether the dumps' own cost stretched their interval beyond the configured one.
    public var sessionIntervalStretched: Bool { sessionIntervalReason == .budget }

    mutating func recordStats(_ commands: [CommandCost]) {
        lastCommands = commands
        for command in commands { add(command.command, seconds: command.seconds, bytes: command.bytes) }
    }

    mutating func recordDump(_ cost: SessionDumpCost) {
        lastSessionDump = cost
        add("show sess all", seconds: cost.seconds, bytes: cost.bytes)
    }

    private mutating func add(_ command: String, seconds: Double, bytes: Int) {
        totals[command, default: Totals()].calls += 1
        totals[command, default: Totals()].seconds += seconds
        totals[command, default: Totals()].bytes += bytes
    }
}
