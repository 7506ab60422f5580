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

    func validate() throws {
        let counts = [
            ("--max-server-series", maxServerSeries), ("--max-probe-series", maxProbeSeries),
            ("--rotate-keep", rotateKeep),
        ]
        for (flag, value) in counts {
            if let value, value < 0 { throw ValidationError("\(flag): must be 0 or more, not \(value)") }
        }
        if let rotateKeep, rotateKeep > Self.maximumRotateKeep {
            throw ValidationError("--rotate-keep: must be at most \(Self.maximumRotateKeep), not \(rotateKeep)")
        }
    }

    /// Each rotation renames every kept file: a huge count would stall the agent for hours on one rotation.
    static let maximumRotateKeep = 1_000

    func run() async throws {
        // Before anything else, so that a signal during startup is not lost; a closed pipe on stdout is an
        // output error to report, not a reason to die.
        let signals = SignalWaiter([SIGINT, SIGTERM, SIGHUP])
        signal(SIGPIPE, SIG_IGN)

        let specs = try instance.instances()
        let file = try instance.configFile.map { path throws(ConfigFileError) in try HawsConfigFile.load(path: path) }
        var settings = try resolveSettings(file: try file?.agentSettings())
        settings.probes = try probe.settings(config: try file?.probes())
        let timeout = try instance.requestTimeout()

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

    /// Defaults, then the config file, then flags.
    func resolveSettings(file: AgentFileSettings?) throws -> AgentSettings {
        var settings = AgentSettings()
        if let file {
            func fromFile<T>(_ key: String, _ parse: () throws -> T) throws -> T {
                do { return try parse() } catch {
                    throw AgentSetupError(description: "\(file.location(of: key)): \(error)")
                }
            }
            if let value = file.statsInterval { settings.statsInterval = value }
            if let value = file.sessionsInterval { settings.sessionsInterval = value }
            if let value = file.ndjson { settings.ndjson = NDJSONDestination(argument: value) }
            if let value = file.prometheus {
                settings.prometheus = try fromFile("prometheus") { try ListenAddress(parsing: value) }
            }
            if let value = file.rotateSize {
                let size = try fromFile("rotate_size") { try ByteCount(parsing: value) }
                settings.rotation = FileRotation(maxBytes: size.bytes, keep: file.rotateKeep ?? 5)
            }
            if let keep = file.rotateKeep, keep > Self.maximumRotateKeep {
                throw AgentSetupError(
                    description: "\(file.location(of: "rotate_keep")): must be at most \(Self.maximumRotateKeep), not \(keep)")
            }
            if file.rotateKeep != nil, file.rotateSize == nil {
                throw AgentSetupError(
                    description: "\(file.location(of: "rotate_keep")): needs rotate_size, e.g. \"100MB\"")
            }
            if let value = file.maxServerSeries { settings.maxServerSeries = value }
            if let value = file.maxProbeSeries { settings.maxProbeSeries = value }
            if let value = file.fullSnapshotInterval { settings.fullSnapshotInterval = value }
        }
        func flag<T>(_ name: String, _ parse: () throws -> T) throws -> T {
            do { return try parse() } catch { throw ValidationError("\(name): \(error)") }
        }
        if let interval { settings.statsInterval = try DurationFlag.parse(interval, flag: "--interval") }
        if let sessionsInterval {
            settings.sessionsInterval = try DurationFlag.parse(sessionsInterval, flag: "--sessions-interval")
        }
        if let output { settings.ndjson = NDJSONDestination(argument: output) }
        if let fullSnapshotInterval {
            settings.fullSnapshotInterval = try flag("--full-snapshot-interval") {
                try DurationParser.parse(fullSnapshotInterval)
            }
        }
        if let prometheus { settings.prometheus = try flag("--prometheus") { try ListenAddress(parsing: prometheus) } }
        if let rotateSize {
            let size = try flag("--rotate-size") { try ByteCount(parsing: rotateSize) }
            settings.rotation = FileRotation(maxBytes: size.bytes, keep: rotateKeep ?? settings.rotation?.keep ?? 5)
        }
        if let rotateKeep {
            guard settings.rotation != nil else {
                throw ValidationError("--rotate-keep needs --rotate-size (or rotate_size in [outputs])")
            }
            settings.rotation?.keep = rotateKeep
        }
        if let maxServerSeries { settings.maxServerSeries = maxServerSeries }
        if let maxProbeSeries { settings.maxProbeSeries = maxProbeSeries }
        settings.defaultToStandardOutput()
        if settings.rotation != nil, settings.ndjson == .standardOutput {
            throw ValidationError("--rotate-size needs --output FILE: standard output cannot be rotated")
        }
        return settings
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

/// A setting from the config file that cannot be used: one line naming the file, the key and the fix (a
/// `ValidationError` would add the command's usage, which says nothing about a file).
struct AgentSetupError: Error, CustomStringConvertible {
    let description: String
}
