#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsClient
import HawsDoctor
import HawsMonitor

/// What the dashboard needs from the rest of haws, as values: the engine's states, a way to poll
/// now, the event log, the executor and the audit log.
public struct TopDependencies: Sendable {
    public var updates: AsyncStream<MonitorState>
    public var reread: @Sendable () async -> Void
    public var record: @Sendable (MonitorEvent) async -> Void
    public var executor: ActionExecutor
    public var auditLog: AuditLog
    /// Instances whose access level is asked at start.
    public var instances: [String]
    /// SIGINT, SIGTERM, SIGHUP: each quits cleanly.
    public var signals: AsyncStream<Int32>
    /// Probe summaries after every probe round (``ProbeSummaries/init(of:frontendNames:)``); `nil` when nothing
    /// probes.
    public var probes: AsyncStream<ProbeSummaries>?
    /// The doctor's report on an engine state (the overlay of `D`); run off the UI loop, it may read files.
    public var doctor: (@Sendable (MonitorState?) async -> DoctorReport)?
    public var now: @Sendable () -> Date

    public init(
        updates: AsyncStream<MonitorState>, reread: @escaping @Sendable () async -> Void,
        record: @escaping @Sendable (MonitorEvent) async -> Void, executor: ActionExecutor, auditLog: AuditLog,
        instances: [String], signals: AsyncStream<Int32>, probes: AsyncStream<ProbeSummaries>? = nil,
        doctor: (@Sendable (MonitorState?) async -> DoctorReport)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.updates = updates
        self.reread = reread
        self.record = record
        self.executor = executor
        self.auditLog = auditLog
        self.instances = instances
        self.signals = signals
        self.probes = probes
        self.doctor = doctor
        self.now = now
    }
}

/// The UI loop: owns the terminal and the state, turns wake-ups into actions, runs `update`, runs
/// the effects off the loop, and draws. Nothing here waits for the network: polling, commands and
/// audit writes run in tasks whose answers come back as actions.
@MainActor
public final class TopRunner {
    private enum Wake: Sendable {
        case input
        case hangup
        case tick
        case action(Action)
    }

    private var state: TopState
    private let dependencies: TopDependencies
    private let terminal: NcursesTerminal
    private var pendingWrites: [Task<Void, Never>] = []
    /// Input wake-ups that found no key while stdin was at end of file: the terminal is gone.
    private var emptyWakes = 0
    private var lastDraw = Date.distantPast

    /// How often the loop wakes without input: resize detection, clocks, deadlines.
    static let tick = Duration.milliseconds(250)

    public init(state: TopState, dependencies: TopDependencies, options: TerminalOptions) {
        self.state = state
        self.dependencies = dependencies
        self.terminal = NcursesTerminal(options: options)
    }

    /// Runs until `q`, a signal, or the terminal going away; the terminal is restored on return.
    public func run() async throws(TerminalError) {
        try terminal.start()
        if !terminal.isUnicode { state.settings.glyphs = .ascii }
        state.size = terminal.size
        state.now = dependencies.now()

        let (wakes, continuation) = AsyncStream.makeStream(of: Wake.self)
        let watcher = InputWatcher()
        watcher.start { event in continuation.yield(event == .readable ? .input : .hangup) }
        let now = dependencies.now
        var tasks: [Task<Void, Never>] = []
        let updates = dependencies.updates
        tasks.append(
            Task.detached { for await value in updates { continuation.yield(.action(.monitor(value, at: now()))) } })
        tasks.append(
            Task.detached { [tick = Self.tick] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    continuation.yield(.tick)
                }
            })
        if let probes = dependencies.probes {
            // Rounds run elsewhere (the probe scheduler's own tasks); only their summaries come through here.
            tasks.append(
                Task.detached { for await summaries in probes { continuation.yield(.action(.probes(summaries))) } })
        }
        let signals = dependencies.signals
        tasks.append(
            Task.detached {
                for await signal in signals { continuation.yield(.action(.quit(reason: "signal \(signal)"))) }
            })
        let executor = dependencies.executor
        for instance in dependencies.instances {
            tasks.append(
                Task.detached {
                    continuation.yield(.action(.access(instance: instance, await executor.access(instance))))
                })
        }

        draw()
        for await wake in wakes {
            var actions: [Action] = []
            switch wake {
            case .input:
                let (keys, resized) = terminal.readKeys()
                // A wake with no key is normal when the tick read the keys first; one at end of
                // file, again and again, means the terminal is gone (else: a busy loop).
                emptyWakes = keys.isEmpty && !resized && terminal.inputAtEndOfFile ? emptyWakes + 1 : 0
                watcher.resume()
                if emptyWakes > 3 { actions.append(.quit(reason: "the terminal went away")) }
                actions += keys.map(Action.key)
                if resized { actions.append(.resized(terminal.size)) }
            case .hangup:
                actions.append(.quit(reason: "the terminal went away"))
            case .tick:
                let (keys, resized) = terminal.readKeys()
                actions += keys.map(Action.key)
                let size = terminal.size
                if resized || size != state.size { actions.append(.resized(size)) }
                actions.append(.tick(now()))
            case .action(let action):
                actions.append(action)
            }
            var redraw = false
            for action in actions {
                let (next, effects) = update(state, action)
                state = next
                for effect in effects { perform(effect, continuation) }
                if case .tick = action { continue }
                redraw = true
            }
            if state.shouldQuit { break }
            // Ticks redraw once a second (clocks, poll ages); everything else at once.
            if redraw || now().timeIntervalSince(lastDraw) >= 1 { draw() }
        }

        continuation.finish()
        watcher.stop()
        for task in tasks { task.cancel() }
        terminal.stop()
        // Audit lines must reach the disk before the process exits.
        for write in pendingWrites { await write.value }
    }

    private func draw() {
        let size = terminal.size
        if size != state.size { state.size = size }
        terminal.draw(Renderer.render(state, size: size))
        lastDraw = dependencies.now()
    }

    private func perform(_ effect: Effect, _ continuation: AsyncStream<Wake>.Continuation) {
        switch effect {
        case .send(let batch):
            let executor = dependencies.executor
            let now = dependencies.now
            Task.detached {
                var results: [Result<String, ActionFailure>] = []
                for item in batch.items {
                    results.append(await executor.send(item.target.instance, item.command))
                }
                continuation.yield(.action(.sent(batch: batch.id, results: results, at: now())))
            }
        case .reread:
            let reread = dependencies.reread
            Task.detached { await reread() }
        case .audit(let records):
            let log = dependencies.auditLog
            pendingWrites.removeAll { $0.isCancelled }
            pendingWrites.append(
                Task.detached {
                    do throws(AuditLogError) {
                        try log.append(records)
                    } catch {
                        continuation.yield(.action(.auditFailed(error.description)))
                    }
                })
        case .record(let event):
            let record = dependencies.record
            Task.detached { await record(event) }
        case .runDoctor:
            // Without a doctor wired in, an empty report still answers, so the overlay does not wait forever.
            let doctor = dependencies.doctor
            let (monitor, now) = (state.live, dependencies.now)
            Task.detached {
                let report =
                    await doctor?(monitor)
                    ?? DoctorReport(files: [], instances: [], haproxyCheck: .init(ran: false), findings: [])
                continuation.yield(.action(.doctor(report, at: now())))
            }
        case .redraw:
            terminal.invalidate()
        case .quit:
            break
        }
    }
}
