#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// Probes the discovered servers (and frontend URLs) within a CPU budget and keeps the picture in a ``ProbeBoard``.
///
/// A round starts every interval. It asks `targets` for the current ``ProbePlan`` (servers come and go with
/// HAProxy's configuration), picks the probes the budget allows (``Configuration/budget``, a share of one core: all of
/// them on a small setup, a slice of a large one), runs them with at most `concurrency` in flight and a random start
/// delay below `jitter` each, records the results in per-object ``RecentProbes``, turns pass/fail changes into
/// ``MonitorEvent``s for `onEvent`, and publishes a new board to `onBoard`. Rounds never overlap: a round longer than
/// the interval delays the next one and counts as an overrun.
///
/// The budget: after every round the CPU probing used (the prober's event loop, read by `probeCPU`, plus the
/// scheduler's own bookkeeping, read with ``Clock/cpu`` on the thread that did it) over the probes run gives a cost
/// per probe (a moving average); the next round runs as many probes as `budget × interval` buys. Which ones: up to
/// half of a limited round re-probes failing targets (least recently probed first), so a failure is confirmed or
/// cleared at the next round; the rest goes to the targets probed longest ago, so every target is probed within
/// ``ProbeBoard/Budget/period``, which the board states.
///
/// The probe function, the clocks and the sleep are injected, so tests drive rounds without sockets or waiting; the
/// live values are ``live(prober:)`` and ``Clock/live``. Objects that share a target and mode (one server listed in
/// two backends) are probed once per round and the result is recorded for each.
public actor ProbeScheduler {
    /// Runs one probe; never throws (failures are results).
    public typealias Probe = @Sendable (ProbeTarget, ProbeOptions) async -> ProbeResult

    /// Time as the scheduler sees it: the shared ``TimeSource`` (cadence, result and event dates, the sleep), and the
    /// calling thread's CPU time (the scheduler's own share of the probe budget).
    public struct Clock: Sendable {
        public var time: TimeSource
        public var cpu: @Sendable () -> Duration

        public init(_ time: TimeSource, cpu: @escaping @Sendable () -> Duration = { .zero }) {
            self.time = time
            self.cpu = cpu
        }

        /// The real clocks, `Task.sleep` and ``ThreadCPUTime``.
        public static let live = Clock(.live, cpu: { ThreadCPUTime.now() })
    }

    /// Cadence and limits of the rounds.
    public struct Configuration: Sendable, Hashable {
        /// Time between the starts of two rounds (default 10 s).
        public var interval: Duration
        /// Probes in flight at once (default 64).
        public var concurrency: Int
        /// Each probe waits a random delay below this before it starts.
        public var jitter: Duration
        /// Mode, timeouts, TLS profile and message; the plan's per-object mode overrides the mode.
        public var options: ProbeOptions
        /// The share of one core probing may use (0.03: 3%); `nil` probes every target every round, whatever it
        /// costs (`haws status --probe`, tests).
        public var budget: Double?
        /// The cost per probe assumed before the first round has measured one: 1 ms of CPU, a pessimistic
        /// full-mode probe, so the first round of a large setup stays inside the budget.
        public var initialProbeCost: Duration
        /// How many recent probes per object the statistics cover (``RecentProbes``).
        public var windowProbes: Int
        /// Consecutive failures before a passing object counts as failing (default 1).
        public var fall: Int
        /// Consecutive passes before a failing object counts as passing again (default 1).
        public var rise: Int
        /// Keep rolling ``ProbeStatistics`` per object (default). A single round (`haws status --probe`) turns it
        /// off: its percentiles would be of one sample, and starting histograms costs about 1 ms of CPU per object.
        public var keepsStatistics: Bool

        public init(
            interval: Duration = ProbeSettings.defaultInterval,
            concurrency: Int = Prober.defaultConcurrency,
            jitter: Duration = ProbeSettings.defaultJitter,
            options: ProbeOptions = ProbeOptions(),
            budget: Double? = nil,
            initialProbeCost: Duration = .milliseconds(1),
            windowProbes: Int = RecentProbes.defaultCapacity,
            fall: Int = 1,
            rise: Int = 1,
            keepsStatistics: Bool = true
        ) {
            self.interval = interval
            self.concurrency = concurrency
            self.jitter = jitter
            self.options = options
            self.budget = budget
            self.initialProbeCost = initialProbeCost
            self.windowProbes = windowProbes
            self.fall = fall
            self.rise = rise
            self.keepsStatistics = keepsStatistics
        }

        /// The cadence, concurrency, jitter, options and budget of `settings`.
        public init(_ settings: ProbeSettings) {
            self.init(
                interval: settings.interval,
                concurrency: settings.concurrency,
                jitter: settings.jitter,
                options: settings.options,
                budget: settings.budget
            )
        }
    }

    public let configuration: Configuration
    private let targets: @Sendable () async -> ProbePlan
    private let probe: Probe
    private let probeCPU: @Sendable () async -> Duration
    private let clock: Clock
    private let onEvent: @Sendable (MonitorEvent) -> Void
    private let onBoard: @Sendable (ProbeBoard) -> Void

    /// The keys of the plan as last received, by position; what each one is probed as (target, mode, or why not)
    /// is in its entry. A round whose plan is equal (the usual case: the same servers at the same addresses) keeps
    /// ``works`` as they are. The plan itself is not kept: its target is already in the entry, and a second copy
    /// of every server's target and key cost ~210 bytes a server (2 MB at 10,000 servers) for the comparison alone.
    private var planKeys: [ProbeKey] = []
    /// Entries of unavailable instances kept from earlier plans (see ``ProbePlan/unavailableInstances``).
    private var retained: [PlannedProbe] = []
    /// The board's entries, kept between rounds and changed only where a round changed something: rebuilding
    /// 10,000 entries (and their percentiles) every round would cost more than the probes of a limited round.
    private var entries: [ProbeKey: ProbeBoard.Entry] = [:]
    /// The distinct probes of the plan, each with the objects that share it and when it last ran (the rotation's
    /// clock); rebuilt only when the plan changes.
    private var works: [Work] = []
    /// Scratch for the selection, kept between rounds so a round does not allocate its sort buffers anew.
    private var scratch: [Int] = []
    private var failingScratch: [Int] = []
    private var rounds = 0
    private var overruns = 0
    /// CPU per probe, a moving average over rounds.
    private var probeCost: Duration
    private var totalCPU = Duration.zero
    private var previousRoundStart: ContinuousClock.Instant?

    /// The latest board (``ProbeBoard/empty`` before the first round).
    public private(set) var board = ProbeBoard.empty

    /// - Parameters:
    ///   - targets: the current plan, asked at the start of every round.
    ///   - probe: runs one probe; ``live(prober:)`` in production.
    ///   - probeCPU: the CPU time the probe function's own threads have used so far (``liveCPU(prober:)``); the
    ///     default, none, leaves the budget counting only the scheduler's bookkeeping.
    ///   - onEvent: probe failure and recovery events, as they happen (for the monitor's event log).
    ///   - onBoard: every new board, after each round.
    public init(
        configuration: Configuration = Configuration(),
        targets: @escaping @Sendable () async -> ProbePlan,
        probe: @escaping Probe,
        probeCPU: @escaping @Sendable () async -> Duration = { .zero },
        clock: Clock = .live,
        onEvent: @escaping @Sendable (MonitorEvent) -> Void = { _ in },
        onBoard: @escaping @Sendable (ProbeBoard) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.targets = targets
        self.probe = probe
        self.probeCPU = probeCPU
        self.clock = clock
        self.onEvent = onEvent
        self.onBoard = onBoard
        self.probeCost = max(.nanoseconds(1), configuration.initialProbeCost)
    }

    /// The probe function of a real ``Prober``.
    public static func live(prober: Prober) -> Probe {
        { target, options in await prober.probe(target, options: options) }
    }

    /// The CPU meter of a real ``Prober``: its event loops' CPU time (give continuous probing a
    /// ``Prober/dedicatedLoop(raiseFileLimit:)``, so nothing else runs there).
    public static func liveCPU(prober: Prober) -> @Sendable () async -> Duration {
        { await prober.eventLoopCPUTime() }
    }

    /// Rounds at the configured interval until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let started = self.clock.time.instant()
            _ = await self.runRound()
            let elapsed = self.clock.time.instant() - started
            if elapsed >= self.configuration.interval {
                self.overruns += 1
                self.board.overruns = self.overruns
                continue
            }
            do {
                try await self.clock.time.sleep(self.configuration.interval - elapsed)
            } catch {
                return  // cancelled
            }
        }
    }

    /// Runs one round (every target without a budget, the budget's share with one) and returns the new board
    /// (`haws status --probe`, tests).
    @discardableResult
    public func runRound() async -> ProbeBoard {
        let startedAt = self.clock.time.date()
        let started = self.clock.time.instant()
        let probeCPUBefore = await self.probeCPU()
        let plan = await self.targets()
        var ownCPU = Duration.zero
        var cpuMark = self.clock.cpu()
        self.adopt(plan)

        let allowed = self.probesPerRound(of: self.works.count)
        let reprobes = self.select(limit: allowed)
        let jobs = self.scratch  // indices into `works`, in plan order
        ownCPU += self.clock.cpu() - cpuMark

        var passed = 0
        var failed = 0
        let probe = self.probe
        let clock = self.clock
        let jitter = self.configuration.jitter
        let baseOptions = self.configuration.options
        await withTaskGroup(of: (Int, ProbeResult).self) { group in
            var next = 0
            func startNext() {
                guard next < jobs.count else {
                    return
                }
                let job = jobs[next]
                next += 1
                let work = self.works[job]
                guard let target = self.entries[self.key(at: work.position)]?.target else {
                    return startNext()  // not reached: a work is made of probeable entries only
                }
                group.addTask {
                    if jitter > .zero {
                        let delay = Duration.nanoseconds(Int64.random(in: 0..<max(1, Self.nanoseconds(jitter))))
                        try? await clock.time.sleep(delay)
                    }
                    var options = baseOptions
                    options.mode = work.mode
                    return (job, await probe(target, options))
                }
            }
            for _ in 0..<max(1, self.configuration.concurrency) {
                startNext()
            }
            while let (job, result) = await group.next() {
                cpuMark = self.clock.cpu()
                startNext()
                if result.failure == .cancelled {
                    ownCPU += self.clock.cpu() - cpuMark
                    continue  // the round was cancelled (shutdown): says nothing about the server
                }
                if result.passed {
                    passed += 1
                } else {
                    failed += 1
                }
                self.works[job].lastProbed = self.clock.time.instant()
                let work = self.works[job]
                self.record(result, for: self.key(at: work.position))
                for position in work.alsoAt {
                    self.record(result, for: self.key(at: position))
                }
                ownCPU += self.clock.cpu() - cpuMark
            }
        }

        cpuMark = self.clock.cpu()
        self.rounds += 1
        let now = self.clock.time.instant()
        let round = ProbeBoard.Round(
            number: self.rounds,
            startedAt: startedAt,
            duration: now - started,
            probes: jobs.count,
            passed: passed,
            failed: failed,
            notProbeable: self.objects - self.probeableObjects
        )
        ownCPU += self.clock.cpu() - cpuMark
        let cpu = ownCPU + max(.zero, await self.probeCPU() - probeCPUBefore)
        let budget = self.account(
            cpu: cpu, probes: passed + failed, targets: self.works.count, allowed: allowed,
            rotationSlots: allowed - reprobes, started: started)
        self.board = ProbeBoard(entries: self.entries, lastRound: round, overruns: self.overruns, budget: budget)
        self.onBoard(self.board)
        return self.board
    }

    /// Distinct probes this round may run: all without a budget, else what `budget × interval` buys at the
    /// measured cost per probe (at least one, so a large setup still moves).
    private func probesPerRound(of targets: Int) -> Int {
        guard let budget = self.configuration.budget else {
            return targets
        }
        let affordable = (self.configuration.interval * budget) / self.probeCost
        return min(targets, max(1, Int((affordable + 1e-9).rounded(.down))))  // 29.999... buys 30
    }

    /// Puts the probes of one round in ``scratch`` (indices into ``works``) and returns how many are re-probes: up
    /// to half of a limited round re-probes failing targets (least recently probed first), the rest goes to the
    /// targets probed longest ago (never probed first); in plan order (HAProxy's), for a stable start order.
    /// The buffers are kept between rounds: at 10,000 servers a round used to allocate and free its work list and
    /// sorted copies (megabytes every 10 s), which left glibc's heap fragmented.
    private func select(limit: Int) -> Int {
        var order = self.scratch
        var failing = self.failingScratch
        self.scratch = []
        self.failingScratch = []
        defer {
            self.scratch = order
            self.failingScratch = failing
        }
        order.removeAll(keepingCapacity: true)
        failing.removeAll(keepingCapacity: true)
        if limit >= self.works.count {
            order.append(contentsOf: self.works.indices)
            return 0
        }
        let works = self.works
        func older(_ a: Int, _ b: Int) -> Bool {
            switch (works[a].lastProbed, works[b].lastProbed) {
            case (nil, nil): a < b
            case (nil, _): true
            case (_, nil): false
            case (let x?, let y?): x == y ? a < b : x < y
            }
        }
        for index in works.indices where self.isFailing(works[index]) {
            failing.append(index)
        }
        failing.sort(by: older)
        let reprobes = min(limit / 2, failing.count)
        failing.removeSubrange(reprobes...)
        failing.sort()  // the chosen re-probes, for the binary search below
        order.append(contentsOf: works.indices.lazy.filter { !Self.sortedContains(failing, $0) })
        order.sort(by: older)
        order.removeSubrange(min(order.count, limit - reprobes)...)
        order.append(contentsOf: failing)
        order.sort()
        return reprobes
    }

    /// Whether any object of `work` failed its last probe.
    private func isFailing(_ work: Work) -> Bool {
        if self.entries[self.key(at: work.position)]?.lastPassed == false {
            return true
        }
        return work.alsoAt.contains { self.entries[self.key(at: $0)]?.lastPassed == false }
    }

    private static func sortedContains(_ sorted: [Int], _ value: Int) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    /// Folds one round's CPU into the cost per probe and says what the budget bought.
    private func account(
        cpu: Duration, probes: Int, targets: Int, allowed: Int, rotationSlots: Int, started: ContinuousClock.Instant
    ) -> ProbeBoard.Budget {
        self.totalCPU += cpu
        if probes > 0 {
            let measured = cpu / probes
            // A moving average: one round slowed by a hung server neither halves nor doubles the next one.
            self.probeCost = max(.nanoseconds(1), self.probeCost * 0.7 + measured * 0.3)
        }
        let interval = self.configuration.interval
        let span = self.previousRoundStart.map { max(started - $0, interval) } ?? interval
        self.previousRoundStart = started
        let rounds = targets == 0 ? 1 : (targets + max(1, rotationSlots) - 1) / max(1, rotationSlots)
        return ProbeBoard.Budget(
            limit: self.configuration.budget,
            used: cpu / span,
            cpu: cpu,
            totalCPU: self.totalCPU,
            costPerProbe: self.probeCost,
            probesPerRound: allowed,
            targets: targets,
            period: interval * rounds
        )
    }

    /// One distinct probe of the plan (objects sharing a target and mode are probed once), by position.
    private struct Work: Sendable {
        /// Where its first object is (see ``key(at:)``): the target and mode are that entry's.
        var position: Int
        var mode: ProbeOptions.Mode
        /// The other objects with the same target and mode (none, for almost every server).
        var alsoAt: [Int] = []
        /// When it last ran, for the rotation.
        var lastProbed: ContinuousClock.Instant?
    }

    /// What makes two objects one probe.
    private struct WorkKey: Hashable {
        var target: ProbeTarget
        var mode: ProbeOptions.Mode
    }

    /// Objects of the plan (distinct keys), and those of them that are probeable.
    private var objects = 0
    private var probeableObjects = 0

    /// The key at `position`: the received plan's, then the retained ones.
    private func key(at position: Int) -> ProbeKey {
        position < self.planKeys.count ? self.planKeys[position] : self.retained[position - self.planKeys.count].key
    }

    /// Whether `entry` is what `planned` says: the same target and mode, or the same reason it is not probed.
    private static func matches(_ entry: ProbeBoard.Entry?, _ planned: PlannedProbe) -> Bool {
        guard let entry else { return false }
        switch planned.disposition {
        case .probe(let target, let mode): return entry.mode == mode && entry.target == target
        case .notProbeable(let reason): return entry.target == nil && entry.notProbeable == reason
        }
    }

    /// The planned entry `entry` stands for (a retained one: an unavailable instance's last known target).
    private static func planned(_ entry: ProbeBoard.Entry) -> PlannedProbe {
        if let target = entry.target, let mode = entry.mode {
            return PlannedProbe(key: entry.key, disposition: .probe(target, mode: mode))
        }
        return PlannedProbe(key: entry.key, disposition: .notProbeable(reason: entry.notProbeable ?? ""))
    }

    /// Whether `plan` is the plan last adopted: the same keys in the same order, each as its entry says (its
    /// target and mode, or its reason). Compared key by key and against the entries, without a kept copy of the
    /// plan; a plan listing a key twice with different dispositions counts as changed (adopting it again is right,
    /// only not free).
    private func isAdopted(_ plan: ProbePlan) -> Bool {
        guard plan.entries.count == self.planKeys.count else { return false }
        for (entry, key) in zip(plan.entries, self.planKeys) {
            guard entry.key == key, Self.matches(self.entries[key], entry) else { return false }
        }
        return true
    }

    /// Takes the new plan: keeps the entries of unavailable instances, forgets objects that left. A plan equal to
    /// the last one (same servers, addresses and modes, in the same order) changes nothing and allocates nothing.
    private func adopt(_ plan: ProbePlan) {
        var retained: [PlannedProbe] = []
        let positionsBefore = self.planKeys.count + self.retained.count
        if !plan.unavailableInstances.isEmpty {
            let listed = Set(plan.entries.lazy.map(\.key))
            retained = (0..<positionsBefore).lazy.map(self.key(at:)).filter {
                plan.unavailableInstances.contains($0.instance) && !$0.isFrontend && !listed.contains($0)
            }.compactMap { self.entries[$0].map(Self.planned) }
        }
        if retained == self.retained && self.isAdopted(plan) {
            return
        }
        // When each distinct probe last ran, by what it probes (before the entries take the new targets).
        var lastProbed: [WorkKey: ContinuousClock.Instant] = [:]
        for work in self.works {
            if let target = self.entries[self.key(at: work.position)]?.target, let instant = work.lastProbed {
                lastProbed[WorkKey(target: target, mode: work.mode)] = instant
            }
        }
        let all = plan.entries + retained
        // The last entry of a key wins, as it would in a dictionary.
        var positions: [ProbeKey: Int] = [:]
        for (position, entry) in all.enumerated() {
            positions[entry.key] = position
        }
        for key in self.entries.keys.filter({ positions[$0] == nil }) {
            self.forget(key)
        }
        for (key, position) in positions where !Self.matches(self.entries[key], all[position]) {
            let entry = all[position]
            let previousTarget = self.entries[key]?.target
            if entry.target == nil {
                // Not probeable now: old results would describe an address that is no longer probed.
                self.forget(key)
            }
            var updated = self.entries[key] ?? ProbeBoard.Entry(key: key)
            if entry.target != nil, previousTarget != entry.target {
                updated.dropWindow()  // a new address or request: its latencies are not comparable
            }
            updated.target = entry.target
            updated.mode = entry.mode
            updated.notProbeable = entry.notProbeableReason
            self.entries[key] = updated
        }
        // The distinct probes, keeping when each last ran.
        var works: [Work] = []
        var workIndex: [WorkKey: Int] = [:]
        var probeable = 0
        for (position, entry) in all.enumerated() where positions[entry.key] == position {
            guard case .probe(let target, let mode) = entry.disposition else { continue }
            probeable += 1
            let key = WorkKey(target: target, mode: mode)
            if let index = workIndex[key] {
                works[index].alsoAt.append(position)
            } else {
                workIndex[key] = works.count
                works.append(Work(position: position, mode: mode, lastProbed: lastProbed[key]))
            }
        }
        self.planKeys = plan.entries.map(\.key)
        self.retained = retained
        self.works = works
        self.objects = positions.count
        self.probeableObjects = probeable
    }

    private func forget(_ key: ProbeKey) {
        self.entries[key] = nil
    }

    private func record(_ result: ProbeResult, for key: ProbeKey) {
        var entry = self.entries[key] ?? ProbeBoard.Entry(key: key)
        var health = entry.health
        let event = health.observe(
            result,
            key: key,
            at: result.finishedAt,
            fall: self.configuration.fall,
            rise: self.configuration.rise
        )
        entry.record(
            result, windowCapacity: self.configuration.keepsStatistics ? self.configuration.windowProbes : nil,
            health: health)
        self.entries[key] = entry
        if let event {
            self.onEvent(event)
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
