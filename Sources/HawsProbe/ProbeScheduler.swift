#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// Probes every discovered server (and frontend URL) once per interval and keeps the picture in a ``ProbeBoard``.
///
/// Each round asks `targets` for the current ``ProbePlan`` (servers come and go with HAProxy's configuration), runs
/// the probes with at most `concurrency` in flight and a random start delay below `jitter` each, records the results
/// in per-object ``ProbeStatistics``, turns pass/fail changes into ``MonitorEvent``s for `onEvent`, and publishes a
/// new board to `onBoard`. Rounds start at a fixed rate and never overlap: a round longer than the interval delays
/// the next one and counts as an overrun.
///
/// The probe function, the clocks and the sleep are injected, so tests drive rounds without sockets or waiting; the
/// live values are ``live(prober:)`` and ``Clock/live``. Objects that share a target and mode (one server listed in
/// two backends) are probed once per round and the result is recorded for each.
public actor ProbeScheduler {
    /// Runs one probe; never throws (failures are results).
    public typealias Probe = @Sendable (ProbeTarget, ProbeOptions) async -> ProbeResult

    /// Time as the scheduler sees it: a monotonic instant for statistics and cadence, the wall clock for results
    /// and events, and a sleep.
    public struct Clock: Sendable {
        public var instant: @Sendable () -> ContinuousClock.Instant
        public var date: @Sendable () -> Date
        public var sleep: @Sendable (Duration) async throws -> Void

        public init(
            instant: @escaping @Sendable () -> ContinuousClock.Instant,
            date: @escaping @Sendable () -> Date,
            sleep: @escaping @Sendable (Duration) async throws -> Void
        ) {
            self.instant = instant
            self.date = date
            self.sleep = sleep
        }

        /// The real clocks and `Task.sleep`.
        public static let live = Clock(
            instant: { ContinuousClock.now },
            date: { Date() },
            sleep: { try await Task.sleep(for: $0) }
        )
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
        /// How far back statistics look (default 5 minutes).
        public var statisticsWindow: Duration
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
            statisticsWindow: Duration = .seconds(300),
            fall: Int = 1,
            rise: Int = 1,
            keepsStatistics: Bool = true
        ) {
            self.interval = interval
            self.concurrency = concurrency
            self.jitter = jitter
            self.options = options
            self.statisticsWindow = statisticsWindow
            self.fall = fall
            self.rise = rise
            self.keepsStatistics = keepsStatistics
        }

        /// The cadence, concurrency, jitter and options of `settings`.
        public init(_ settings: ProbeSettings) {
            self.init(
                interval: settings.interval,
                concurrency: settings.concurrency,
                jitter: settings.jitter,
                options: settings.options
            )
        }
    }

    public let configuration: Configuration
    private let targets: @Sendable () async -> ProbePlan
    private let probe: Probe
    private let clock: Clock
    private let onEvent: @Sendable (MonitorEvent) -> Void
    private let onBoard: @Sendable (ProbeBoard) -> Void
    private let statisticsOrigin: ContinuousClock.Instant

    private var plan: [ProbeKey: PlannedProbe] = [:]
    private var statistics: [ProbeKey: ProbeStatistics] = [:]
    private var health: [ProbeKey: ProbeHealth] = [:]
    private var lastResults: [ProbeKey: ProbeResult] = [:]
    private var rounds = 0
    private var overruns = 0

    /// The latest board (``ProbeBoard/empty`` before the first round).
    public private(set) var board = ProbeBoard.empty

    /// - Parameters:
    ///   - targets: the current plan, asked at the start of every round.
    ///   - probe: runs one probe; ``live(prober:)`` in production.
    ///   - onEvent: probe failure and recovery events, as they happen (for the monitor's event log).
    ///   - onBoard: every new board, after each round.
    public init(
        configuration: Configuration = Configuration(),
        targets: @escaping @Sendable () async -> ProbePlan,
        probe: @escaping Probe,
        clock: Clock = .live,
        onEvent: @escaping @Sendable (MonitorEvent) -> Void = { _ in },
        onBoard: @escaping @Sendable (ProbeBoard) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.targets = targets
        self.probe = probe
        self.clock = clock
        self.onEvent = onEvent
        self.onBoard = onBoard
        self.statisticsOrigin = clock.instant()
    }

    /// The probe function of a real ``Prober``.
    public static func live(prober: Prober) -> Probe {
        { target, options in await prober.probe(target, options: options) }
    }

    /// Rounds at the configured interval until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let started = self.clock.instant()
            _ = await self.runRound()
            let elapsed = self.clock.instant() - started
            if elapsed >= self.configuration.interval {
                self.overruns += 1
                self.board.overruns = self.overruns
                continue
            }
            do {
                try await self.clock.sleep(self.configuration.interval - elapsed)
            } catch {
                return  // cancelled
            }
        }
    }

    /// Runs one round over the current plan and returns the new board (`haws status --probe`, tests).
    @discardableResult
    public func runRound() async -> ProbeBoard {
        let startedAt = self.clock.date()
        let started = self.clock.instant()
        let plan = await self.targets()
        self.adopt(plan)

        // One probe per distinct (target, mode); every key sharing it gets the result.
        var work: [Work: [ProbeKey]] = [:]
        for (key, entry) in self.plan {
            if case .probe(let target, let mode) = entry.disposition {
                work[Work(target: target, mode: mode), default: []].append(key)
            }
        }
        let jobs = work.keys.sorted { $0.target.url < $1.target.url }
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
                        try? await clock.sleep(delay)
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
                startNext()
                if result.failure == .cancelled {
                    continue  // the round was cancelled (shutdown): says nothing about the server
                }
                if result.passed {
                    passed += 1
                } else {
                    failed += 1
                }
                for key in work[job] ?? [] {
                    self.record(result, for: key)
                }
            }
        }

        self.rounds += 1
        let round = ProbeBoard.Round(
            number: self.rounds,
            startedAt: startedAt,
            duration: self.clock.instant() - started,
            probes: jobs.count,
            passed: passed,
            failed: failed,
            notProbeable: self.plan.values.filter { $0.target == nil }.count
        )
        self.board = self.makeBoard(round: round)
        self.onBoard(self.board)
        return self.board
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
            self.statistics[key] = nil
            self.health[key] = nil
            self.lastResults[key] = nil
        }
        for (key, entry) in next where entry.target == nil {
            // Not probeable now: old results would describe an address that is no longer probed.
            self.statistics[key] = nil
            self.health[key] = nil
            self.lastResults[key] = nil
        }
        for (key, entry) in next {
            if let old = self.plan[key], old.target != entry.target {
                self.statistics[key] = nil  // a new address or request: its latencies are not comparable
            }
        }
        self.plan = next
    }

    private func record(_ result: ProbeResult, for key: ProbeKey) {
        if self.configuration.keepsStatistics {
            var statistics =
                self.statistics.removeValue(forKey: key)  // keeps the histograms uniquely referenced
                ?? ProbeStatistics(window: self.configuration.statisticsWindow, origin: self.statisticsOrigin)
            statistics.record(result, at: self.clock.instant())
            self.statistics[key] = statistics
        }
        self.lastResults[key] = result
        var health = self.health[key] ?? ProbeHealth()
        let event = health.observe(
            result,
            key: key,
            at: result.finishedAt,
            fall: self.configuration.fall,
            rise: self.configuration.rise
        )
        self.health[key] = health
        if let event {
            self.onEvent(event)
        }
    }

    private func makeBoard(round: ProbeBoard.Round) -> ProbeBoard {
        let now = self.clock.instant()
        var entries: [ProbeKey: ProbeBoard.Entry] = [:]
        for (key, planned) in self.plan {
            entries[key] = ProbeBoard.Entry(
                key: key,
                target: planned.target,
                mode: planned.mode,
                notProbeable: planned.notProbeableReason,
                lastResult: self.lastResults[key],
                statistics: planned.target.flatMap { self.statistics[key]?.statistics(for: $0.id, at: now) },
                health: self.health[key] ?? ProbeHealth()
            )
        }
        return ProbeBoard(entries: entries, lastRound: round, overruns: self.overruns)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
