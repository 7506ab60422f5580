import HawsCore
import HawsMonitor
import HawsProbe

/// The dashboard's continuous probes: a ``ProbeScheduler`` over the servers the engine's polls discovered, whose
/// failures and recoveries go into the engine's event log and whose boards become the summaries behind the PROBE
/// and HS p95 columns and the detail pane (of servers, and of frontends named with `--probe-frontend NAME=URL`).
///
/// Rounds run in their own tasks and reach the UI loop only as ``Action/probes(_:)`` (through
/// ``TopDependencies/probes``), so a round stuck on a hanging server never delays a key or a redraw; only the newest
/// summaries are kept for a UI that is busy.
public struct ProbeFeed: Sendable {
    /// The summaries of every round, newest only.
    public let summaries: AsyncStream<ProbeSummaries>
    private let scheduler: ProbeScheduler
    private let engine: MonitorEngine
    private let events: AsyncStream<MonitorEvent>
    private let sinks: Sinks

    private struct Sinks: Sendable {
        var summaries: AsyncStream<ProbeSummaries>.Continuation
        var events: AsyncStream<MonitorEvent>.Continuation
    }

    /// - Parameters:
    ///   - frontendInstance: where frontend URLs are reported (``ProbeTargetDiscovery/frontendInstance(among:)``).
    ///   - probe: ``ProbeScheduler/live(prober:)`` in production.
    ///   - probeCPU: ``ProbeScheduler/liveCPU(prober:)`` of the same prober, for the probe budget.
    public init(
        settings: ProbeSettings, frontendInstance: String, engine: MonitorEngine,
        probe: @escaping ProbeScheduler.Probe, probeCPU: @escaping @Sendable () async -> Duration = { .zero },
        clock: ProbeScheduler.Clock = .live
    ) {
        let (summaries, summarySink) = AsyncStream.makeStream(
            of: ProbeSummaries.self, bufferingPolicy: .bufferingNewest(1))
        let (events, eventSink) = AsyncStream.makeStream(of: MonitorEvent.self)
        self.summaries = summaries
        self.events = events
        self.engine = engine
        self.sinks = Sinks(summaries: summarySink, events: eventSink)
        self.scheduler = ProbeScheduler(
            settings: settings, frontendInstance: frontendInstance, readings: { await engine.state.readings },
            probe: probe, probeCPU: probeCPU, clock: clock, onEvent: { eventSink.yield($0) },
            onBoard: { [names = settings.frontendNames] board in
                summarySink.yield(ProbeSummaries(of: board, frontendNames: names))
            })
    }

    /// The scheduler's board now: every server's last result (the doctor's live rules read it).
    public func board() async -> ProbeBoard { await scheduler.board }

    /// Probes until cancelled; the first round waits for the engine's first polls (before them there is nothing to
    /// probe).
    public func run() async {
        for await state in await self.engine.updates() where state.everyInstancePolled { break }
        let (scheduler, engine, events, sinks) = (self.scheduler, self.engine, self.events, self.sinks)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.run()
                sinks.events.finish()
                sinks.summaries.finish()
            }
            group.addTask {
                // One consumer, so events reach the log in the order the scheduler saw them.
                for await event in events { await engine.record(event) }
            }
        }
    }
}
