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
import HawsClient
import HawsConfig
import HawsCore
import HawsDoctor
import HawsMonitor
import HawsProbe
import HawsTUI

/// `haws top`: the live dashboard (ncurses) for an operator during an incident.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Live dashboard of every instance, backend and server, with WebSocket tunnels and actions.",
        discussion: """
            Keys: ? help, / filter (regex, ! inverts), s/S sort, tab or 1-9 views, j/k arrows PgUp/PgDn g/G \
            move, enter detail, space fold, e events, p pause, D doctor, q quit. Actions on the selected server or all \
            marked (x): d drain, r ready, m maint, w weight, K shutdown sessions; each asks for confirmation, \
            shows the exact runtime commands, checks that it took effect and is written to the audit log.
            Views come from the shipped files and from --views-dir (JSON; see Dashboards/views).
            Every server is probed with a real WebSocket handshake every 10s (--probe-interval, [probes] of \
            --config; --no-probe turns it off): the PROBE and HS p95 columns, the detail pane, and probe failures \
            in the event log.
            D shows haws doctor's findings on --doctor-config and on the live instances (the latest snapshot and \
            probes), worst first; they are made off the UI on each open, then every 2s while open.
            """)

    @OptionGroup var instance: InstanceOptions

    @Flag(help: "Never send a command: actions are refused with a message.")
    var readOnly = false

    @Option(
        help: ArgumentHelp(
            "NDJSON audit log of actions (default: $XDG_STATE_HOME/haws/audit.log or ~/.local/state/haws/audit.log).",
            valueName: "path"))
    var auditLog: String?

    @Option(
        help: ArgumentHelp(
            "Directory of extra view files (*.json); a view named like a shipped one replaces it (default: ~/.config/haws/views).",
            valueName: "dir"))
    var viewsDir: String?

    @Option(
        help: ArgumentHelp("View to open with (servers, tunnels, traffic, frontends or your own).", valueName: "name"))
    var view: String?

    @Option(help: ArgumentHelp("How often to read show stat / show info.", valueName: "duration"))
    var interval: String = TopFlags.defaultInterval

    @Option(
        help: ArgumentHelp(
            "How often to count tunnels (show sess all, which pauses HAProxy briefly).", valueName: "duration"))
    var tunnelsInterval: String = TopFlags.defaultTunnelsInterval

    @Option(
        help: ArgumentHelp(
            "Default of the drain dialog: offer 'shutdown sessions' after this long (0 = never).", valueName: "duration"
        ))
    var drainDeadline: String = TopFlags.defaultDrainDeadline

    @Flag(help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Draw with ASCII only (no box drawing), whatever the locale.")
    var ascii = false

    @Option(name: .customLong("doctor-config"), help: ArgumentHelp(
        "HAProxy configuration file or directory for the doctor overlay (D), as haws status --doctor-config "
            + "(repeatable; default /etc/haproxy/haproxy.cfg when it exists).",
        valueName: "file|dir"))
    var doctorConfigs: [String] = []

    @OptionGroup(title: "Probes") var probe: ContinuousProbeOptions

    @Option(
        help: ArgumentHelp(
            "Benchmark: read the instances twice, time N frames at 160x50 without a terminal, print ms per frame.",
            valueName: "N", visibility: .hidden))
    var benchFrames: Int?

    /// Every duration is checked before the terminal is taken over.
    func validate() throws {
        _ = try timingFlags.timing()
        if let benchFrames, !(1...1_000_000).contains(benchFrames) {
            throw ValidationError("--bench-frames: must be from 1 to 1000000, not \(benchFrames)")
        }
    }

    /// The polling flags as plain values, for HawsConfig.
    var timingFlags: TopFlags {
        var flags = TopFlags()
        flags.interval = interval
        flags.tunnelsInterval = tunnelsInterval
        flags.drainDeadline = drainDeadline
        return flags
    }

    func run() async throws {
        let setup = try instance.configuration()
        let specs = try setup.instances()
        let timeout = try setup.requestTimeout()
        let timing = try timingFlags.timing()
        let (stats, tunnels) = (timing.statsInterval, timing.tunnelsInterval)
        let probeSettings = try setup.continuousProbeSettings(probe.flags)
        let environment = ProcessInfo.processInfo.environment

        let directory = viewsDir ?? Self.defaultViewsDirectory(environment)
        let loaded = ViewLoader.load(directories: [directory])
        var messages = loaded.errors.map(\.description)
        let audit = AuditLog(path: auditLog ?? AuditLog.defaultPath(environment: environment))
        var auditProblem: String?
        if !readOnly {
            do { try audit.prepare() } catch { auditProblem = error.description }
            if let auditProblem { messages.append("audit log: \(auditProblem); actions are refused") }
        }

        var configuration = MonitorConfiguration()
        configuration.statsInterval = stats
        configuration.tunnelsInterval = tunnels
        let engine = MonitorEngine(
            sources: specs.map { InstanceSource.live($0, timeout: timeout) }, configuration: configuration)
        if let benchFrames {
            // Two polls: the second has rates. No terminal, no probes: only the dashboard's own work.
            await engine.pollOnce()
            await engine.pollOnce()
            let state = TopState(
                settings: TopSettings(), views: loaded.views, size: TerminalSize(columns: 160, rows: 50), now: Date())
            let result = FrameBenchmark.run(
                state, monitor: await engine.state, size: TerminalSize(columns: 160, rows: 50), frames: benchFrames)
            print(result.summary)
            // The other half of a refresh: a poll (read, parse, rates, events), as CPU of the whole process.
            let polls = max(5, benchFrames / 10)
            let before = Self.processCPUSeconds()
            for _ in 0..<polls { await engine.pollOnce() }
            let perPoll = (Self.processCPUSeconds() - before) / Double(polls) * 1_000
            print("engine poll (read, parse, rates, events) \(String(printf: "%.2f", perPoll)) ms of CPU, mean of \(polls)")
            // What the doctor overlay (D) costs per refresh while it is open: the file read and parsed, the rules.
            let monitor = await engine.state
            let doctorClock = ContinuousClock()
            var doctorTimes: [Duration] = []
            var findings = 0
            for _ in 0..<5 {
                let started = doctorClock.now
                let report = DoctorRun.report(
                    snapshots: monitor.instances.compactMap(\.snapshot), probes: nil, configs: doctorConfigs,
                    environment: environment, option: "--doctor-config")
                doctorTimes.append(doctorClock.now - started)
                findings = report.findings.count
            }
            let fastest = doctorTimes.min().map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1_000 }
            print("doctor report (D: config read, file and live rules, \(findings) findings) "
                + "\(String(printf: "%.2f", fastest ?? 0)) ms fastest of \(doctorTimes.count)")
            if let endpoint = specs.first?.runtime {
                // The parser alone, on one answer read once: steadier than a whole poll, which waits on HAProxy.
                let answer = try await RuntimeAPIClient(endpoint: endpoint, timeout: timeout).sendForBytes("show stat")
                let clock = ContinuousClock()
                var times: [Duration] = []
                for _ in 0..<max(5, benchFrames / 5) {
                    let started = clock.now
                    let table = try StatsCSVParser.parse(bytes: answer)
                    times.append(clock.now - started)
                    precondition(!table.backends.isEmpty || !table.frontends.isEmpty)
                }
                // The fastest run is the parser's own cost; slower ones met other work on the machine.
                let sorted = times.sorted().map { Double($0.components.seconds) * 1_000 + Double($0.components.attoseconds) / 1e15 }
                print(
                    "show stat parse (\(answer.count) bytes) \(String(printf: "%.2f", sorted[0])) ms fastest, "
                        + "\(String(printf: "%.2f", sorted[sorted.count / 2])) ms median of \(sorted.count)")
            }
            return
        }

        let settings = TopSettings(
            user: Self.currentUser(environment), readOnly: readOnly, drainDeadline: timing.drainDeadline,
            statsInterval: stats, tunnelsInterval: tunnels, auditLogPath: audit.path, auditProblem: auditProblem,
            glyphs: ascii ? .ascii : .unicode, probeInterval: probeSettings?.interval)
        var state = TopState(
            settings: settings, views: loaded.views, size: TerminalSize(columns: 80, rows: 24), now: Date(),
            messages: messages)
        if let view {
            guard let index = state.views.firstIndex(where: { $0.name == view }) else {
                throw ValidationError(
                    "--view: no view named '\(view)' (have: \(state.views.map(\.name).joined(separator: ", ")))")
            }
            state.viewIndex = index
        }

        let signals = SignalWaiter()
        let signalStream = AsyncStream<Int32> { continuation in
            let task = Task {
                while let signal = await signals.next() { continuation.yield(signal) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        let executor = readOnly ? ActionExecutor.none : ActionExecutor.live(specs, timeout: timeout)
        let probes = probeSettings.map { settings in
            let prober = Prober.dedicatedLoop()  // its thread's CPU time is what the probe budget counts
            return ProbeFeed(
                settings: settings, frontendInstance: ProbeTargetDiscovery.frontendInstance(among: specs.map(\.name)),
                engine: engine, probe: ProbeScheduler.live(prober: prober),
                probeCPU: ProbeScheduler.liveCPU(prober: prober))
        }
        let doctorConfigs = self.doctorConfigs
        let dependencies = TopDependencies(
            updates: await engine.updates(), reread: { await engine.pollOnce() }, record: { await engine.record($0) },
            executor: executor, auditLog: audit, instances: readOnly ? [] : specs.map(\.name), signals: signalStream,
            probes: probes?.summaries,
            doctor: { monitor in
                let board = await probes?.board()
                return DoctorRun.report(
                    snapshots: monitor?.instances.compactMap(\.snapshot) ?? [],
                    probes: board.map { StatusProbeResults(board: $0).servers }, configs: doctorConfigs,
                    environment: environment, option: "--doctor-config")
            })
        let engineTask = Task { await engine.run() }
        let probeTask = Task { await probes?.run() }
        defer { probeTask.cancel() }
        let runner = await TopRunner(
            state: state, dependencies: dependencies, options: TerminalOptions(color: !noColor, asciiOnly: ascii))
        do {
            try await runner.run()
        } catch {
            // No usage text: the terminal, not the command line, is the problem.
            engineTask.cancel()
            throw error
        }
        engineTask.cancel()
        // Messages shown on the screen (bad view files) are repeated where they stay visible.
        for message in messages { StandardError.write("haws top: \(message)\n") }
    }

    static func defaultViewsDirectory(_ environment: [String: String]) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/haws/views" }
        return (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.config/haws/views"
    }

    /// The user written into audit lines: the effective user, and who ran sudo when it was used.
    static func currentUser(_ environment: [String: String]) -> String {
        var name = environment["USER"] ?? "uid \(geteuid())"
        if let entry = getpwuid(geteuid()), let cName = entry.pointee.pw_name { name = String(cString: cName) }
        if let sudo = environment["SUDO_USER"], !sudo.isEmpty, sudo != name { return "\(name) (sudo by \(sudo))" }
        return name
    }
}

extension ActionExecutor {
    /// Sends through `RuntimeAPIClient`, one connection per command, to each instance's runtime socket.
    static func live(_ specs: [InstanceSpec], timeout: Duration) -> ActionExecutor {
        var endpoints: [String: RuntimeEndpoint] = [:]
        for spec in specs { if let runtime = spec.runtime { endpoints[spec.name] = runtime } }
        let known = endpoints
        return ActionExecutor(
            send: { instance, command in
                guard let endpoint = known[instance] else {
                    return .failure(
                        ActionFailure(
                            .noRuntimeSocket, "\(instance) has no runtime socket (--socket) to send commands to"))
                }
                do {
                    let answer = try await RuntimeAPIClient(endpoint: endpoint, timeout: timeout).send(command.text)
                    if let error = RuntimeAPIResponse.errorMessage(of: answer) {
                        return .failure(ActionFailure(.rejected, "HAProxy answered '\(error)'"))
                    }
                    return .success(answer)
                } catch let error as RuntimeAPIError {
                    return .failure(
                        ActionFailure(error.kind == .levelTooLow ? .permissionDenied : .failed, error.description))
                } catch {
                    return .failure(ActionFailure(.failed, "\(error)"))
                }
            },
            access: { instance in
                guard let endpoint = known[instance] else { return .noRuntimeSocket }
                guard
                    let answer = try? await RuntimeAPIClient(endpoint: endpoint, timeout: timeout).send(
                        "show cli level")
                else {
                    return .unknown
                }
                switch answer.trimmingWhitespace() {
                case "admin": return .level(.admin)
                case "operator": return .level(.operator)
                case "user": return .level(.user)
                default: return .unknown
                }
            })
    }
}

extension TopCommand {
    /// User plus system CPU time of this process (every thread), in seconds.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
