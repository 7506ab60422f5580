import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import HawsAgent
import HawsClient
import HawsConfig
import HawsCore
import HawsProbe

/// `haws agent`: the headless poller for log shippers and Prometheus.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Poll HAProxy continuously; write NDJSON lines and/or serve Prometheus metrics.",
        discussion: """
            Writes one JSON line per instance per poll (type "snapshot") and one per event (type "event": \
            reloads, server state changes, unreachable/recovered); schema: Schemas/agent.schema.json. With \
            --prometheus, also serves /metrics (text format 0.0.4) from the same polls. With neither --output \
            nor --prometheus, lines go to standard output.
            Signals: SIGTERM and SIGINT stop after the current line (exit 0); SIGHUP reopens the output file \
            (for logrotate). A failing output (full disk, unwritable file) is reported on stderr at most once \
            a minute while polling goes on.
            Probes: every server HAProxy lists gets a real WebSocket handshake every 10s (--probe-interval, \
            [probes] of --config; --no-probe turns it off): one "probe" line per server per round, "event" lines \
            when a probe starts failing or passes again, and haws_probe_* metrics.
            Config file sections: [intervals] stats, sessions; [outputs] ndjson, prometheus, rotate_size, \
            rotate_keep, max_server_series, max_probe_series; [probes]. Flags override the file.
            """)

    @OptionGroup var instance: InstanceOptions

    @Option(
        help: ArgumentHelp("NDJSON destination: a file (appended to), or - for standard output.", valueName: "file|-"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Stats poll interval: one snapshot line per instance per poll (default: 1s).", valueName: "duration"))
    var interval: String?

    @Option(help: ArgumentHelp("Per-server tunnel poll interval, show sess all (default: 5s).", valueName: "duration"))
    var sessionsInterval: String?

    @Option(
        help: ArgumentHelp(
            "Serve /metrics at [ADDRESS:]PORT; loopback unless an address is given, e.g. 9101, 0.0.0.0:9101.",
            valueName: "address"))
    var prometheus: String?

    @Option(
        help: ArgumentHelp(
            "Write per-server series while the instances hold at most this many servers (default: 10000); beyond, only backend series.",
            valueName: "count"))
    var maxServerSeries: Int?

    @Option(
        help: ArgumentHelp(
            "Write per-server probe series while the instances hold at most this many servers (default: 500); beyond, probe series per backend.",
            valueName: "count"))
    var maxProbeSeries: Int?

    @Option(
        help: ArgumentHelp(
            "Rotate the NDJSON file before it exceeds this size, e.g. 100MB (units of 1024).", valueName: "size"))
    var rotateSize: String?

    @Option(help: ArgumentHelp("Rotated files to keep, FILE.1 ... FILE.N (default: 5).", valueName: "count"))
    var rotateKeep: Int?

    @Option(
        help: ArgumentHelp(
            "Time between two full snapshot lines of an instance, e.g. 5m (default: 5m; 0 writes one every poll); "
                + "between them each poll writes a changes line, and an unchanged probe result is rewritten this often.",
            valueName: "duration"))
    var fullSnapshotInterval: String?

    @OptionGroup(title: "Probes") var probe: ContinuousProbeOptions

    /// The flags as plain values, for ``RunConfiguration/agentSettings(_:)``.
    var flags: AgentFlags {
        var flags = AgentFlags()
        flags.output = output
        flags.interval = interval
        flags.sessionsInterval = sessionsInterval
        flags.prometheus = prometheus
        flags.maxServerSeries = maxServerSeries
        flags.maxProbeSeries = maxProbeSeries
        flags.rotateSize = rotateSize
        flags.rotateKeep = rotateKeep
        flags.fullSnapshotInterval = fullSnapshotInterval
        flags.probe = probe.flags
        return flags
    }

    func validate() throws { try flags.validate() }

    func run() async throws {
        // Before anything else, so that a signal during startup is not lost; a closed pipe on stdout is an
        // output error to report, not a reason to die.
        let signals = SignalWaiter([SIGINT, SIGTERM, SIGHUP])
        signal(SIGPIPE, SIG_IGN)

        let setup = try instance.configuration()
        let specs = try setup.instances()
        let settings = try setup.agentSettings(flags)
        let timeout = try setup.requestTimeout()

        let agent = Agent(settings: settings, sources: specs.map { InstanceSource.live($0, timeout: timeout) }) {
            message in
            StandardError.write(message + "\n")
        }
        let server = try await agent.startMetricsServer()
        announce(settings: settings, instances: specs.map(\.name), server: server)
        let running = Task { await agent.run(metricsServer: server) }

        while let received = await signals.next() {
            if received == SIGHUP {
                agent.reopenOutput()
                continue
            }
            break
        }
        agent.stop()
        // The output closes at once; give polls in flight a moment to end, but never hang on a dead socket.
        let finished = AsyncStream<Void>.makeStream()
        Task {
            await running.value
            finished.continuation.finish()
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in finished.stream {} }
            group.addTask { try? await Task.sleep(for: .seconds(2)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// One line on stderr saying what the agent does, with the real port when 0 was asked.
    private func announce(settings: AgentSettings, instances: [String], server: MetricsServer?) {
        var parts = [
            "haws agent: polling \(instances.joined(separator: ", ")) every \(Self.text(settings.statsInterval)) "
                + "(sessions every \(Self.text(settings.sessionsInterval)))"
        ]
        parts.append(ContinuousProbeOptions.describe(settings.probes))
        if let ndjson = settings.ndjson { parts.append("NDJSON to \(ndjson)") }
        if let server {
            var metrics = "metrics on http://\(server.address)/metrics"
            if !server.address.isLoopback { metrics += " (not loopback: reachable from other hosts)" }
            parts.append(metrics)
        }
        StandardError.write(parts.joined(separator: "; ") + "\n")
    }

    /// `1s`, `200ms`: durations as they are written on the command line.
    static func text(_ duration: Duration) -> String {
        let milliseconds = Int((duration / .milliseconds(1)).rounded())
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)s" : "\(milliseconds)ms"
    }
}
