#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// The latest probe picture: per server (and frontend URL) the last result, rolling statistics and health, plus the
/// servers that cannot be probed and why.
///
/// An immutable value published by ``ProbeScheduler`` after every round, for the agent (NDJSON, Prometheus) and the
/// dashboard to read without waiting on the network: a consumer holds a board as long as it likes, the scheduler
/// never mutates one it has handed out.
public struct ProbeBoard: Sendable {
    /// What is known about one probed (or unprobeable) object.
    public struct Entry: Sendable, Codable {
        public var key: ProbeKey
        /// What is probed; `nil` when not probeable.
        public var target: ProbeTarget?
        /// The mode it is probed in; `nil` when not probeable.
        public var mode: ProbeOptions.Mode?
        /// Why it is not probed (port 0, no address, MAINT, ...); `nil` when it is.
        public var notProbeable: String?
        /// The latest result; `nil` before the first probe.
        public var lastResult: ProbeResult?
        /// p50/p95/p99 per phase and the success ratio over the last probes (`RecentProbes`: 24 by default).
        public var statistics: TargetStatistics?
        /// Passing or failing, and since when.
        public var health: ProbeHealth

        public init(
            key: ProbeKey,
            target: ProbeTarget? = nil,
            mode: ProbeOptions.Mode? = nil,
            notProbeable: String? = nil,
            lastResult: ProbeResult? = nil,
            statistics: TargetStatistics? = nil,
            health: ProbeHealth = ProbeHealth()
        ) {
            self.key = key
            self.target = target
            self.mode = mode
            self.notProbeable = notProbeable
            self.lastResult = lastResult
            self.statistics = statistics
            self.health = health
        }
    }

    /// Figures of one round.
    public struct Round: Sendable, Hashable, Codable {
        /// Rounds run so far, this one included.
        public var number: Int
        public var startedAt: Date
        public var duration: Duration
        /// Distinct probes run (objects sharing a target and mode are probed once).
        public var probes: Int
        public var passed: Int
        public var failed: Int
        public var notProbeable: Int

        public init(
            number: Int,
            startedAt: Date,
            duration: Duration,
            probes: Int,
            passed: Int,
            failed: Int,
            notProbeable: Int
        ) {
            self.number = number
            self.startedAt = startedAt
            self.duration = duration
            self.probes = probes
            self.passed = passed
            self.failed = failed
            self.notProbeable = notProbeable
        }
    }

    /// What probing costs and what that buys: the CPU budget's use and the resulting probe period.
    ///
    /// Shown by the agent (NDJSON `probe_round` lines, `/metrics`) and `haws top`'s header, so an operator sees what
    /// probing costs and why a period is what it is.
    public struct Budget: Sendable, Hashable, Codable {
        /// The share of one core probing may use; `nil`: unlimited.
        public var limit: Double?
        /// The share of one core the last round used (its CPU over the time since the round before, at least an
        /// interval).
        public var used: Double
        /// CPU time of the last round: the prober's event loop and the scheduler's own work.
        public var cpu: Duration
        /// CPU time of every round so far.
        public var totalCPU: Duration
        /// The measured CPU per probe (a moving average) that sets ``probesPerRound``.
        public var costPerProbe: Duration
        /// Distinct probes a round may run under the budget.
        public var probesPerRound: Int
        /// Distinct targets in the plan (objects sharing a target and mode count once).
        public var targets: Int
        /// The longest a target waits between two probes at this pace: the interval when every target fits in one
        /// round, else that many rounds; a failing target is re-probed sooner, at the next round.
        public var period: Duration

        public init(
            limit: Double?, used: Double, cpu: Duration, totalCPU: Duration, costPerProbe: Duration,
            probesPerRound: Int, targets: Int, period: Duration
        ) {
            self.limit = limit
            self.used = used
            self.cpu = cpu
            self.totalCPU = totalCPU
            self.costPerProbe = costPerProbe
            self.probesPerRound = probesPerRound
            self.targets = targets
            self.period = period
        }
    }

    /// Every object of the latest plan, by key.
    public var entries: [ProbeKey: Entry]
    /// The latest round; `nil` before the first.
    public var lastRound: Round?
    /// Rounds that took longer than the interval (the next one then started late, never overlapping).
    public var overruns: Int
    /// The budget after the latest round; `nil` before the first.
    public var budget: Budget?

    public init(entries: [ProbeKey: Entry] = [:], lastRound: Round? = nil, overruns: Int = 0, budget: Budget? = nil) {
        self.entries = entries
        self.lastRound = lastRound
        self.overruns = overruns
        self.budget = budget
    }

    /// The board before any round.
    public static let empty = ProbeBoard()

    /// The entry of one object.
    public subscript(key: ProbeKey) -> Entry? {
        self.entries[key]
    }

    /// The entry of a server of `instance`.
    public func entry(instance: String, server: ServerKey) -> Entry? {
        self.entries[.server(server, instance: instance)]
    }

    /// Every entry, frontends first, then by instance, backend and server.
    public var sortedEntries: [Entry] {
        self.entries.values.sorted { $0.key < $1.key }
    }

    /// The entries currently failing.
    public var failing: [Entry] {
        self.sortedEntries.filter { $0.health.state == .failing }
    }
}
