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

    private var plan: [ProbeKey: PlannedProbe] = [:]
    /// The board's entries, kept between rounds and changed only where a round changed something: rebuilding
    /// 10,000 entries (and their percentiles) every round would cost more than the probes of a limited round.
    private var entries: [ProbeKey: ProbeBoard.Entry] = [:]
    /// When each probe last ran, for the rotation (pruned to the current plan every round).
    private var lastProbed: [Work: ContinuousClock.Instant] = [:]
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

        // One probe per distinct (target, mode); every key sharing it gets the result.
        var work: [Work: [ProbeKey]] = [:]
        for (key, entry) in self.plan {
            if case .probe(let target, let mode) = entry.disposition {
                work[Work(target: target, mode: mode), default: []].append(key)
            }
        }
        self.lastProbed = self.lastProbed.filter { work[$0.key] != nil }
        let allowed = self.probesPerRound(of: work.count)
        let selection = self.select(from: work, limit: allowed)
        let jobs = selection.jobs
        ownCPU += self.clock.cpu() - cpuMark

        var passed = 0
        var failed = 0
        let probe = self.probe
        let clock = self.clock
        let jitter = self.configuration.jitter
        let baseOptions = self.configuration.options
        await withTaskGroup(of: (Work, ProbeResult).self) { group in
            var next = 0
            func startNext() {
                guard next < jobs.count else {
                    return
                }
                let job = jobs[next]
                next += 1
                group.addTask {
                    if jitter > .zero {
                        let delay = Duration.nanoseconds(Int64.random(in: 0..<max(1, Self.nanoseconds(jitter))))
                        try? await clock.time.sleep(delay)
                    }
                    var options = baseOptions
                    options.mode = job.mode
                    return (job, await probe(job.target, options))
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
                self.lastProbed[job] = self.clock.time.instant()
                for key in work[job] ?? [] {
                    self.record(result, for: key)
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
            notProbeable: self.plan.count - work.values.reduce(0) { $0 + $1.count }
        )
        ownCPU += self.clock.cpu() - cpuMark
        let cpu = ownCPU + max(.zero, await self.probeCPU() - probeCPUBefore)
        let budget = self.account(
            cpu: cpu, probes: passed + failed, targets: work.count, allowed: allowed,
            rotationSlots: allowed - selection.reprobes, started: started)
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

    /// The probes of one round: up to half of a limited round re-probes failing targets (least recently probed
    /// first), the rest goes to the targets probed longest ago (never probed first); sorted by URL for a stable
    /// start order.
    private func select(from work: [Work: [ProbeKey]], limit: Int) -> (jobs: [Work], reprobes: Int) {
        if limit >= work.count {
            return (work.keys.sorted { $0.target.url < $1.target.url }, 0)
        }
        func older(_ a: Work, _ b: Work) -> Bool {
            switch (self.lastProbed[a], self.lastProbed[b]) {
            case (nil, nil): a.target.url < b.target.url
            case (nil, _): true
            case (_, nil): false
            case (let x?, let y?): x == y ? a.target.url < b.target.url : x < y
            }
        }
        let failing = work.filter { _, keys in
            keys.contains { self.entries[$0]?.lastResult?.passed == false }
        }.keys.sorted(by: older)
        let reprobes = Array(failing.prefix(limit / 2))
        let chosen = Set(reprobes)
        let rotation = work.keys.filter { !chosen.contains($0) }.sorted(by: older).prefix(limit - reprobes.count)
        return ((reprobes + rotation).sorted { $0.target.url < $1.target.url }, reprobes.count)
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

    /// A probe to run: what goes on the wire.
    private struct Work: Hashable {
        var target: ProbeTarget
        var mode: ProbeOptions.Mode
    }

    /// Takes the new plan: keeps the entries of unavailable instances, forgets objects that left.
    private func adopt(_ plan: ProbePlan) {
        var next: [ProbeKey: PlannedProbe] = [:]
        for entry in plan.entries {
            next[entry.key] = entry
        }
        for (key, entry) in self.plan
        where plan.unavailableInstances.contains(key.instance) && !key.isFrontend && next[key] == nil {
            next[key] = entry
        }
        for key in self.plan.keys where next[key] == nil {
            self.forget(key)
        }
        for (key, entry) in next where self.plan[key] != entry {
            let old = self.plan[key]
            if entry.target == nil {
                // Not probeable now: old results would describe an address that is no longer probed.
                self.forget(key)
            }
            var updated = self.entries[key] ?? ProbeBoard.Entry(key: key)
            if entry.target != nil, old?.target != entry.target {
                updated.dropWindow()  // a new address or request: its latencies are not comparable
            }
            updated.target = entry.target
            updated.mode = entry.mode
            updated.notProbeable = entry.notProbeableReason
            self.entries[key] = updated
        }
        self.plan = next
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
