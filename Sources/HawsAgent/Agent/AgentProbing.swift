#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor
import HawsProbe
import NIOConcurrencyHelpers

/// The agent's continuous probes: a ``ProbeScheduler`` over the servers the agent's own polls discovered, whose
/// rounds become NDJSON `probe_round` lines, whose results become `probe` lines (on a change, else once per refresh
/// interval: ``ProbeLineSchedule``), failure and recovery `event` lines, and the probe families of `/metrics`.
///
/// Probing costs HAProxy nothing (targets come from the latest snapshots, never from a new read) and never delays a
/// poll: rounds run in their own task at their own cadence. Probe metrics live behind a lock, like
/// ``AgentObservations``, because scrapes are answered on NIO event loops and must not hop to an actor.
final class AgentProbing: Sendable {
    let settings: ProbeSettings
    /// Where frontend URLs are reported (``ProbeTargetDiscovery/frontendInstance(among:)``).
    let frontendInstance: String
    private let probe: ProbeScheduler.Probe
    private let probeCPU: @Sendable () async -> Duration
    private let clock: ProbeScheduler.Clock
    private let observations: AgentObservations
    /// Per-server probe series up to this many servers (``AgentSettings/probeSeriesLimit``).
    private let maxProbeSeries: Int
    private let metrics = NIOLockedValueBox(ProbeMetrics())

    init(
        settings: ProbeSettings, frontendInstance: String, probe: @escaping ProbeScheduler.Probe,
        probeCPU: @escaping @Sendable () async -> Duration = { .zero }, clock: ProbeScheduler.Clock = .live, observations: AgentObservations, maxProbeSeries: Int
    ) {
        self.settings = settings
        self.frontendInstance = frontendInstance
        self.probe = probe
        self.probeCPU = probeCPU
        self.clock = clock
        self.observations = observations
        self.maxProbeSeries = maxProbeSeries
    }

    /// Adds the probe families to every scrape: per server while the servers are within `--max-probe-series` (and
    /// `--max-server-series`), by the same count as the agent's other server series; per backend beyond.
    var contributor: AgentMetricsContributor {
        { [self] out in
            let perServer = AgentExposition.writesServerSeries(
                self.observations.snapshot, maxServerSeries: self.maxProbeSeries)
            let metrics = self.metrics.withLockedValue { $0 }
            metrics.contribute(into: &out, perServer: perServer)
        }
    }

    /// Probes the servers `engine` discovered until cancelled, writing lines through `emit` (when the agent writes
    /// NDJSON). The first round waits for the first polls: before them there is nothing to probe.
    func run(
        engine: MonitorEngine, emit: (@Sendable ([UInt8]) async -> Void)?, refreshInterval: Duration
    ) async {
        for await state in await engine.updates() where state.everyInstancePolled { break }
        await self.run(
            readings: { await engine.state.readings }, record: { await engine.record($0) }, write: emit,
            refreshInterval: refreshInterval)
    }

    /// Probes until cancelled.
    ///
    /// - Parameters:
    ///   - readings: the engine's latest reading of every instance, asked at the start of each round.
    ///   - record: puts a probe failure or recovery into the engine's event log (and so into `event` lines).
    ///   - write: writes one NDJSON line; `nil` when the agent writes none (`/metrics` only).
    ///   - refreshInterval: the longest an object goes without a `probe` line (``ProbeLineSchedule``).
    func run(
        readings: @escaping @Sendable () async -> [InstanceReading],
        record: @escaping @Sendable (MonitorEvent) async -> Void,
        write: (@Sendable ([UInt8]) async -> Void)?,
        refreshInterval: Duration = .seconds(300)
    ) async {
        // Unbounded: one board per round, and every round's results must reach the file and the counters.
        let (boards, boardSink) = AsyncStream.makeStream(of: ProbeBoard.self)
        let (events, eventSink) = AsyncStream.makeStream(of: MonitorEvent.self)
        let scheduler = ProbeScheduler(
            settings: self.settings, frontendInstance: self.frontendInstance, readings: readings, probe: self.probe,
            probeCPU: self.probeCPU, clock: self.clock, onEvent: { eventSink.yield($0) }, onBoard: { boardSink.yield($0) })
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.run()
                boardSink.finish()
                eventSink.finish()
            }
            group.addTask {
                // One consumer, so events reach the log in the order the scheduler saw them.
                for await event in events { await record(event) }
            }
            group.addTask { [self] in
                var previous: (board: ProbeBoard, listed: Date)?
                let lines = ProbeLineSchedule(refreshInterval: refreshInterval)
                for await board in boards {
                    let news = board.news(since: previous?.board)
                    let before = previous
                    let listed = board.lastRound?.startedAt ?? clock.time.date()
                    previous = (board, listed)
                    let perServer = AgentExposition.writesServerSeries(
                        self.observations.snapshot, maxServerSeries: self.maxProbeSeries)
                    self.metrics.withLockedValue { $0.record(board, news: news, perServer: perServer) }
                    guard let write else { continue }
                    var written = 0
                    for entry in news {
                        let earlier = before.flatMap { before in
                            before.board[entry.key].map { ($0, $0.lastResult?.finishedAt ?? before.listed) }
                        }
                        guard lines.shouldWrite(entry, at: entry.lastResult?.finishedAt ?? listed, previous: earlier)
                        else { continue }
                        await write(ProbeLine.encode(entry, round: board.lastRound?.number, time: listed))
                        written += 1
                    }
                    await write(
                        ProbeRoundLine.encode(
                            board, probeLines: written, outputBytes: self.observations.outputBytes, time: listed))
                }
            }
        }
    }
}
