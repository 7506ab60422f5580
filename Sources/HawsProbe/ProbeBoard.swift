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
    ///
    /// A value with its fields in one shared box (copy on write): the scheduler keeps 10,000 entries and every
    /// board it hands out copies the dictionary of them, so a copy must cost a reference per entry, not the
    /// entry's ~1 KB of result, target and statistics. Before, each round's first change copied every entry
    /// inline, and the boards a consumer still held kept several whole copies alive (about 20 MB each at
    /// 10,000 servers); now a round allocates only the entries it changed.
    public struct Entry: Sendable, Codable {
        /// The fields, as one Codable value (what the box holds).
        ///
        /// The key and the target stay inline: one box per entry is alive between rounds, so boxing them apart
        /// would add two allocations (~250 bytes) to save ~200 bytes in this one.
        struct Fields: Sendable, Codable {
            var key: ProbeKey
            private(set) var target: ProbeTarget?
            var mode: ProbeOptions.Mode?
            var notProbeable: String?
            /// The last result, without the copies of what the entry already holds (``LastResult``).
            var last: LastResult?
            var window: Window?
            var health: ProbeHealth

            enum CodingKeys: String, CodingKey {
                case key, target, mode, notProbeable, lastResult, statistics, health
            }

            init(
                key: ProbeKey, target: ProbeTarget?, mode: ProbeOptions.Mode?, notProbeable: String?,
                lastResult: ProbeResult?, window: Window?, health: ProbeHealth
            ) {
                self.key = key
                self.target = target
                self.mode = mode
                self.notProbeable = notProbeable
                self.last = lastResult.map { LastResult($0, entryTarget: target) }
                self.window = window
                self.health = health
            }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                self.key = try c.decode(ProbeKey.self, forKey: .key)
                let target = try c.decodeIfPresent(ProbeTarget.self, forKey: .target)
                self.target = target
                self.mode = try c.decodeIfPresent(ProbeOptions.Mode.self, forKey: .mode)
                self.notProbeable = try c.decodeIfPresent(String.self, forKey: .notProbeable)
                self.last = try c.decodeIfPresent(ProbeResult.self, forKey: .lastResult).map {
                    LastResult($0, entryTarget: target)
                }
                self.window = try c.decodeIfPresent(TargetStatistics.self, forKey: .statistics).map(Window.fixed)
                self.health = try c.decode(ProbeHealth.self, forKey: .health)
            }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(self.key, forKey: .key)
                try c.encodeIfPresent(self.target, forKey: .target)
                try c.encodeIfPresent(self.mode, forKey: .mode)
                try c.encodeIfPresent(self.notProbeable, forKey: .notProbeable)
                try c.encodeIfPresent(self.lastResult, forKey: .lastResult)
                try c.encodeIfPresent(self.statistics, forKey: .statistics)
                try c.encode(self.health, forKey: .health)
            }

            /// The last result, rebuilt from ``last``.
            var lastResult: ProbeResult? {
                get { self.last?.result(entryTarget: self.target) }
                set { self.last = newValue.map { LastResult($0, entryTarget: self.target) } }
            }

            /// Changes the target, keeping the last result's own target with it.
            mutating func setTarget(_ target: ProbeTarget?) {
                guard target != self.target else { return }
                self.last = self.last?.keeping(self.target, for: target)
                self.target = target
            }

            /// The window's figures, computed from the ring when the scheduler keeps one.
            var statistics: TargetStatistics? {
                switch self.window {
                case .recent(let recent):
                    guard let id = (self.last?.target(entryTarget: self.target) ?? self.target)?.id else { return nil }
                    return recent.statistics(targetID: id)
                case .fixed(let statistics): return statistics
                case nil: return nil
                }
            }
        }

        /// Where an entry's window figures come from: the scheduler's ring of recent probes (figures computed when
        /// read: a few hundred entries a round are read, and stored figures cost ~400 bytes an entry), or figures
        /// given as they are (tests, decoding; boxed so that the case costs a reference).
        enum Window: Sendable {
            case recent(RecentProbes)
            indirect case fixed(TargetStatistics)
        }

        /// An immutable value behind a reference, shared by every copy.
        final class Shared<Value: Sendable>: Sendable {
            let value: Value
            init(_ value: Value) { self.value = value }
        }

        final class Box: Sendable {
            let fields: Fields
            init(_ fields: Fields) { self.fields = fields }
        }

        private(set) var box: Box

        private mutating func update(_ change: (inout Fields) -> Void) {
            var fields = self.box.fields
            change(&fields)
            self.box = Box(fields)
        }

        public var key: ProbeKey {
            get { self.box.fields.key }
            set { self.update { $0.key = newValue } }
        }
        /// What is probed; `nil` when not probeable.
        public var target: ProbeTarget? {
            get { self.box.fields.target }
            set { self.update { $0.setTarget(newValue) } }
        }
        /// The mode it is probed in; `nil` when not probeable.
        public var mode: ProbeOptions.Mode? {
            get { self.box.fields.mode }
            set { self.update { $0.mode = newValue } }
        }
        /// Why it is not probed (port 0, no address, MAINT, ...); `nil` when it is.
        public var notProbeable: String? {
            get { self.box.fields.notProbeable }
            set { self.update { $0.notProbeable = newValue } }
        }
        /// Whether the latest result passed (`nil` before the first probe), without rebuilding it.
        public var lastPassed: Bool? { self.box.fields.last?.passed }

        /// The latest result; `nil` before the first probe (rebuilt from its stored form on each read: read it
        /// once).
        public var lastResult: ProbeResult? {
            get { self.box.fields.lastResult }
            set { self.update { $0.lastResult = newValue } }
        }
        /// p50/p95/p99 per phase and the success ratio over the window of recent probes (computed on each read
        /// for an entry of the scheduler: read it once).
        public var statistics: TargetStatistics? {
            get { self.box.fields.statistics }
            set { self.update { $0.window = newValue.map(Window.fixed) } }
        }

        /// The upgrade's p95 over the window (top's HS p95), kept by the ring as probes arrive rather than worked out
        /// from ``statistics`` on each read; `nil` without a window or before a probe that got that far.
        public var upgradeP95: Duration? {
            switch self.box.fields.window {
            case .recent(let recent): recent.upgradeP95
            case .fixed(let statistics): statistics.phases[.upgrade].flatMap { $0.isEmpty ? nil : $0.p95 }
            case nil: nil
            }
        }

        /// The recent probes behind ``statistics``, as the scheduler keeps them.
        var recent: RecentProbes? {
            if case .recent(let recent) = self.box.fields.window { return recent }
            return nil
        }

        /// Takes a new probe result in one new box: into the ring (started at `windowCapacity`; none kept when
        /// `nil`), as the last result, with the health it led to.
        mutating func record(_ result: ProbeResult, windowCapacity: Int?, health: ProbeHealth) {
            var fields = self.box.fields
            if let windowCapacity {
                var recent = self.recent ?? RecentProbes(capacity: windowCapacity)
                recent.record(result)
                fields.window = .recent(recent)
            }
            fields.lastResult = result
            fields.health = health
            self.box = Box(fields)
        }

        /// Forgets the window (a new address: its latencies are not comparable).
        mutating func dropWindow() {
            self.update { $0.window = nil }
        }
        /// Passing or failing, and since when.
        public var health: ProbeHealth {
            get { self.box.fields.health }
            set { self.update { $0.health = newValue } }
        }

        public init(
            key: ProbeKey,
            target: ProbeTarget? = nil,
            mode: ProbeOptions.Mode? = nil,
            notProbeable: String? = nil,
            lastResult: ProbeResult? = nil,
            statistics: TargetStatistics? = nil,
            health: ProbeHealth = ProbeHealth()
        ) {
            self.box = Box(Fields(
                key: key, target: target, mode: mode, notProbeable: notProbeable, lastResult: lastResult,
                window: statistics.map(Window.fixed), health: health))
        }

        /// Whether `other` is this very value as stored (an entry a round left alone, on two boards): then every
        /// field is equal, and whatever was derived from one holds for the other. `false` says nothing.
        public func isSameValue(as other: Entry) -> Bool {
            self.box === other.box
        }

        public init(from decoder: any Decoder) throws {
            self.box = Box(try Fields(from: decoder))
        }

        public func encode(to encoder: any Encoder) throws {
            try self.box.fields.encode(to: encoder)
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
