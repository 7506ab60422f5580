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
import HawsProbe

/// `haws status`: one read of every instance, a table or JSON, and a Nagios exit code.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the state of every frontend, backend and server once, with a Nagios exit code.",
        discussion: """
            Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (HAProxy unreachable, bad arguments).
            Defaults: a server DOWN is WARNING, a backend with no server up is CRITICAL, DRAIN and MAINT are \
            OK but listed, session use at 80% of a limit is WARNING and at 95% CRITICAL.
            With --probe, every server HAProxy lists gets one RFC 6455 probe (settings from the [probes] section of \
            --config): a failing probe is WARNING even while HAProxy says UP, and a backend none of whose servers \
            passes is CRITICAL.
            """)

    @OptionGroup var instance: InstanceOptions

    @Flag(help: "Print one JSON document (schema: Schemas/status.schema.json).")
    var json = false

    @Option(help: ArgumentHelp("Severity of a DOWN server: ok, warning or critical.", valueName: "severity"))
    var down: PolicySeverity = .init(.warning)

    @Option(help: ArgumentHelp("Severity of a server in DRAIN.", valueName: "severity"))
    var drain: PolicySeverity = .init(.ok)

    @Option(help: ArgumentHelp("Severity of a server in MAINT.", valueName: "severity"))
    var maint: PolicySeverity = .init(.ok)

    @Option(help: ArgumentHelp("Severity of a backend with no server up.", valueName: "severity"))
    var noServerUp: PolicySeverity = .init(.critical)

    @Option(help: ArgumentHelp("WARNING when sessions reach this percent of a limit (slim, maxconn); 0 disables.", valueName: "percent"))
    var sessionsWarning: Double = 80

    @Option(help: ArgumentHelp("CRITICAL when sessions reach this percent of a limit; 0 disables.", valueName: "percent"))
    var sessionsCritical: Double = 95

    @Flag(help: "Never colour the table (colour is used only on a terminal, and never when NO_COLOR is set).")
    var noColor = false

    @Flag(help: ArgumentHelp(
        "Read tunnel ages (show sess all) even on an instance with more than 5,000 connections or backend streams, where the counters "
            + "alone give the counts and the dump would cost HAProxy about 12 µs per stream."))
    var tunnelAges = false

    @Flag(help: "Probe every server with a real WebSocket handshake before reporting (settings: [probes] of --config).")
    var probe = false

    @Option(help: ArgumentHelp(
        "Severity of a server whose probe fails while HAProxy says it is up (a backend with no passing server is "
            + "CRITICAL unless ok).",
        valueName: "severity"))
    var probeFailure: PolicySeverity = .init(.warning)

    @Option(name: .customLong("probe-frontend"), help: ArgumentHelp(
        "Also probe this URL through HAProxy itself, e.g. ws://127.0.0.1:80/chat (repeatable; implies --probe; "
            + "NAME=URL names the frontend, as in haws top).",
        valueName: "url"))
    var probeFrontends: [String] = []

    @Flag(help: "Also list haws doctor's findings on the HAProxy configuration (--doctor-config) and on what was read (with --json: the doctor member); they count in the exit code.")
    var doctor = false

    @Option(name: .customLong("doctor-config"), help: ArgumentHelp(
        "HAProxy configuration file or directory for --doctor (repeatable; default /etc/haproxy/haproxy.cfg).",
        valueName: "file|dir"))
    var doctorConfigs: [String] = []

    func validate() throws {
        for (name, value) in [("--sessions-warning", sessionsWarning), ("--sessions-critical", sessionsCritical)] where !(0...1000).contains(value) {
            throw ValidationError("\(name): must be a percentage between 0 and 1000, not \(value)")
        }
    }

    func run() async throws {
        let setup = try instance.configuration()
        let specs = try setup.instances()
        let timeout = try setup.requestTimeout()
        var policy = StatusPolicy()
        policy.serverDown = down.severity
        policy.serverDrain = drain.severity
        policy.serverMaint = maint.severity
        policy.backendNoServerUp = noServerUp.severity
        policy.sessionsWarningPercent = sessionsWarning > 0 ? sessionsWarning : nil
        policy.sessionsCriticalPercent = sessionsCritical > 0 ? sessionsCritical : nil

        let readings = await withTaskGroup(of: (Int, InstanceReading).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask { [tunnelAges] in
                    (index, await InstanceReader(spec: spec, timeout: timeout).read(withAges: tunnelAges))
                }
            }
            var results: [(Int, InstanceReading)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let probing = probe || !probeFrontends.isEmpty
        var probes: StatusProbeResults?
        if probing {
            policy.probeFailure = probeFailure.severity
            policy.backendNoProbePassing = probeFailure.severity == .ok ? .ok : .critical
            let settings = try setup.probeSettings(frontends: probeFrontends)
            probes = await Self.probeRound(readings, settings: settings, frontendInstance: specs)
        }
        var report = StatusEvaluator.evaluate(readings, policy: policy, probes: probes)
        var findings: DoctorReport?
        if doctor {
            let snapshots = readings.compactMap { reading in if case .read(let snapshot) = reading { snapshot } else { nil } }
            let doctorReport = DoctorRun.report(
                snapshots: snapshots, probes: probes?.servers, configs: doctorConfigs,
                environment: ProcessInfo.processInfo.environment, option: "--doctor-config")
            report.include(doctorReport.verdict, note: "doctor: " + doctorReport.countsText)
            findings = doctorReport
        }
        if json {
            print(report.json(doctor: findings.map { found in { found.writeMember(into: &$0) } }), terminator: "")
        } else {
            let renderer = StatusTableRenderer(color: Terminal.wantsColor(disabled: noColor), showProbes: probing)
            print(renderer.render(report), terminator: "")
            for reading in readings {
                if case .unreachable(let name, let error) = reading {
                    StandardError.write("haws: \(name): \(error)\n")
                }
            }
            if let findings {
                print("", findings.table(color: Terminal.wantsColor(disabled: noColor)), separator: "\n", terminator: "")
            }
        }
        throw ExitCode(Int32(report.exitCode))
    }

    /// One probe round over the servers of every instance read, and the frontend URLs.
    static func probeRound(
        _ readings: [InstanceReading], settings: ProbeSettings, frontendInstance specs: [InstanceSpec]
    ) async -> StatusProbeResults {
        let frontendInstance = ProbeTargetDiscovery.frontendInstance(among: specs.map(\.name))
        let plan = ProbeTargetDiscovery.plan(for: readings, settings: settings, frontendInstance: frontendInstance)
        var configuration = ProbeScheduler.Configuration(settings)
        configuration.keepsStatistics = false  // one round: percentiles of one sample say nothing
        configuration.budget = nil  // one round that must cover every server: the budget paces continuous rounds
        let scheduler = ProbeScheduler(
            configuration: configuration,
            targets: { plan },
            probe: ProbeScheduler.live(prober: Prober()))
        return StatusProbeResults(board: await scheduler.runRound())
    }
}

/// `ok`, `warning` or `critical` on the command line.
struct PolicySeverity: ExpressibleByArgument, Sendable {
    let severity: Severity

    init(_ severity: Severity) { self.severity = severity }

    init?(argument: String) {
        guard let severity = Severity(policyValue: argument) else { return nil }
        self.severity = severity
    }

    var defaultValueDescription: String { severity.label.lowercased() }
    static var allValueStrings: [String] { ["ok", "warning", "critical"] }
}

enum Terminal {
    /// Colour only on a terminal, never with `NO_COLOR` (https://no-color.org) or `TERM=dumb`.
    static func wantsColor(disabled: Bool) -> Bool {
        if disabled { return false }
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }
}
