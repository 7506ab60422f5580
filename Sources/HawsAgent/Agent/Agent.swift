#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import NIOCore
import HawsCore
import HawsMonitor
import HawsProbe

/// `haws agent`: polls every instance with the monitor engine and writes what it sees as NDJSON lines
/// and Prometheus metrics, until ``stop()``.
///
/// One engine, three consumers: engine states become `snapshot` and `changes` lines (one per instance per
/// stats poll, ``SnapshotSchedule``) and the latest state behind `/metrics`; engine events become `event` lines and the reload counter.
/// Each instance polls on its own schedule inside the engine, so a hung instance delays nobody else.
public final class Agent: Sendable {
    public let settings: AgentSettings
    public let observations: AgentObservations
    private let engine: MonitorEngine
    private let report: @Sendable (String) -> Void
    private let contributors: [AgentMetricsContributor]
    /// Continuous probes, when ``AgentSettings/probes`` is set.
    private let probing: AgentProbing?
    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation
    private let clock: TimeSource

    private enum Command: Sendable {
        case reopen, stop
    }

    /// - Parameters:
    ///   - report: one-line messages for stderr (startup, output failures at most once a minute).
    ///   - contributors: extra metric families added to every scrape.
    ///   - probe: runs one probe when ``AgentSettings/probes`` is set; `nil` uses a real ``Prober`` (tests inject one).
    ///   - clock: the engine's clock, and the time of every NDJSON line and output report.
    public init(
        settings: AgentSettings, sources: [InstanceSource], contributors: [AgentMetricsContributor] = [],
        probe: ProbeScheduler.Probe? = nil,
        clock: TimeSource = .live, report: @escaping @Sendable (String) -> Void
    ) {
        self.settings = settings
        let observations = AgentObservations()
        self.observations = observations
        self.engine = MonitorEngine(
            sources: sources.map { $0.timed(into: observations) }, configuration: settings.monitorConfiguration,
            clock: clock)
        let probing = settings.probes.map { probes in
            // A prober on its own thread: that thread's CPU time is what the probe budget counts.
            let prober = probe == nil ? Prober.dedicatedLoop() : nil
            var probeCPU: @Sendable () async -> Duration = { .zero }
            if let prober { probeCPU = ProbeScheduler.liveCPU(prober: prober) }
            return AgentProbing(
                settings: probes, frontendInstance: ProbeTargetDiscovery.frontendInstance(among: sources.map(\.name)),
                probe: probe ?? ProbeScheduler.live(prober: prober!),
                probeCPU: probeCPU, observations: observations,
                maxProbeSeries: settings.probeSeriesLimit)
        }
        self.probing = probing
        self.contributors = contributors + (probing.map { [$0.contributor] } ?? [])
        self.clock = clock
        self.report = report
        (commands, commandSink) = AsyncStream.makeStream(of: Command.self)
    }

    /// Reopens the NDJSON file (SIGHUP, after logrotate moved it).
    public func reopenOutput() { commandSink.yield(.reopen) }

    /// Ends ``run(metricsServer:)``: no line is written after the current one, the file is closed.
    public func stop() { commandSink.yield(.stop) }

    /// Adds an event from outside the engine (a probe failing or passing again): it becomes an `event` line.
    public func record(_ event: MonitorEvent) async {
        await engine.record(event)
    }

    /// The `/metrics` exposition of the current state.
    public func metrics() -> PrometheusExposition {
        AgentExposition.build(
            observations.snapshot, maxServerSeries: settings.maxServerSeries, contributors: contributors)
    }

    /// The `/metrics` text of the current state.
    public func metricsText() -> String { metrics().render() }

    /// Writes the `/metrics` exposition of the current state through `emit`, one piece at a time.
    public func writeMetrics(to emit: (ByteBuffer) -> Void) {
        AgentExposition.write(
            observations.snapshot, maxServerSeries: settings.maxServerSeries, contributors: contributors, to: emit)
    }

    /// Starts the metrics server if one is configured: call before ``run(metricsServer:)`` so that an
    /// address in use fails the start, not a later scrape.
    public func startMetricsServer() async throws(AgentSettingError) -> MetricsServer? {
        guard let address = settings.prometheus else { return nil }
        return try await MetricsServer.start(at: address) { [self] emit in writeMetrics(to: emit) }
    }

    /// Every line goes through this: a failed write is counted, a written one adds to the output bytes.
    private static func emitter(
        to output: NDJSONOutput, observations: AgentObservations
    ) -> @Sendable ([UInt8]) async -> Void {
        { line in
            let written = await output.write(parts: CollectionOfOne(line).makeIterator(), estimatedBytes: line.count)
            record(written, in: observations)
        }
    }

    /// Counts what a write of ``NDJSONOutput`` gave: the bytes written, or a failed line.
    private static func record(_ written: Int?, in observations: AgentObservations) {
        if let written {
            observations.recordOutput(bytes: written)
        } else {
            observations.recordOutputError()
        }
    }

    /// Polls and writes until ``stop()``. Returns once the output is closed and the engine stopped.
    /// Call it once: a stopped agent does not start again.
    public func run(metricsServer: MetricsServer? = nil) async {
        let observations = self.observations
        let now = self.clock.date
        let engine = self.engine
        let reportOutputError: @Sendable (String) -> Void = { [report] message in report(message) }
        let output = settings.ndjson.map {
            NDJSONOutput(destination: $0, rotation: settings.rotation, report: reportOutputError, now: now)
        }
        let emit = output.map { Self.emitter(to: $0, observations: observations) }
        let fullSnapshotInterval = settings.fullSnapshotInterval
        let states = await engine.updates()
        let events = await engine.eventStream()

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await engine.run() }
            group.addTask {
                var emittedPolls: [String: Int] = [:]
                var schedule = SnapshotSchedule(fullInterval: fullSnapshotInterval)
                for await state in states {
                    observations.update(state)
                    for live in state.instances where live.polls > emittedPolls[live.name, default: 0] {
                        emittedPolls[live.name] = live.polls
                        guard let output else { continue }
                        let time = SnapshotLine.isCurrent(live) ? (live.lastGoodPoll ?? now()) : now()
                        let parts = SnapshotLine.Parts(
                            live, time: time, pollDuration: observations.lastStatsPollSeconds(of: live.name),
                            changes: schedule.changes(for: live, at: time), outputBytes: observations.outputBytes)
                        // In parts: a full snapshot at 10,000 servers is megabytes, never held whole.
                        Self.record(
                            await output.write(parts: parts, estimatedBytes: parts.estimatedBytes), in: observations)
                    }
                }
            }
            if let probing = self.probing {
                group.addTask {
                    await probing.run(engine: engine, emit: emit, refreshInterval: fullSnapshotInterval)
                }
            }
            group.addTask {
                for await event in events {
                    observations.record(event)
                    await emit?(EventLine.encode(event))
                }
            }
            for await command in commands {
                if case .reopen = command {
                    await output?.reopen()
                    continue
                }
                break
            }
            // Close first: a line being written completes, later ones are dropped, so the file ends on a
            // whole line even if a poll below does not stop at once.
            await output?.close()
            group.cancelAll()
        }
        await metricsServer?.close()
    }
}
