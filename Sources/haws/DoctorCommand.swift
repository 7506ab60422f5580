import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsClient
import HawsConfig
import HawsCore
import HawsDoctor
import HawsProbe
import Subprocess
#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `haws doctor`: is this HAProxy ready for WebSockets? Reads the configuration files as HAProxy does, runs
/// `haproxy -c` on them, and with instance options checks the running instance against the file.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check an HAProxy configuration (and a live instance) for what breaks WebSockets.",
        discussion: """
            Reads the -f files and directories in order, as `haproxy -f` does (default /etc/haproxy/haproxy.cfg), \
            runs `haproxy -c` on the same files when haproxy is installed, and with --socket, --master-socket, \
            --stats-url or --config also checks the running instance: old workers after a reload, servers UP for \
            HAProxy whose WebSocket handshake fails, tunnels and connections against the limits, and whether the \
            file is what runs. Findings are listed worst first with the line that fixes them.
            Exit codes: 0 OK (advice only), 1 WARNING, 2 CRITICAL, 3 UNKNOWN (unreadable file, unreachable instance, \
            bad arguments). `haws doctor --explain CODE` explains a finding.
            """)

    @OptionGroup var instance: InstanceOptions

    @Option(name: [.customShort("f"), .customLong("haproxy-config")], help: ArgumentHelp(
        "HAProxy configuration file or directory (its *.cfg files in order), as haproxy -f. Repeatable. "
            + "Default: /etc/haproxy/haproxy.cfg when it exists.",
        valueName: "file|dir"))
    var haproxyConfigs: [String] = []

    @Flag(help: "Print one JSON document (schema: Schemas/doctor.schema.json).")
    var json = false

    @Option(help: ArgumentHelp("Print the long explanation of a finding's code and exit.", valueName: "code"))
    var explain: String?

    @Option(name: .customLong("websocket-backend"), help: ArgumentHelp(
        "A backend (or listen) that serves WebSockets; repeatable. Without it, haws recognises them by name, by "
            + "use_backend conditions on Upgrade, by health checks expecting 101 and by live tunnels.",
        valueName: "name"))
    var websocketBackends: [String] = []

    @Option(help: ArgumentHelp("The haproxy binary for `haproxy -c` (default: haproxy on PATH).", valueName: "path"))
    var haproxy: String = "haproxy"

    @Flag(name: .customLong("no-haproxy-check"), help: "Do not run `haproxy -c` on the files.")
    var noHAProxyCheck = false

    @Flag(help: "Live: do not probe servers with a WebSocket handshake (settings: [probes] of --config).")
    var noProbe = false

    @Flag(help: "Never colour the table.")
    var noColor = false

    /// Whether any instance option was given: only then does the doctor read a running HAProxy.
    var wantsLive: Bool { instance.flags.namesInstances }

    func run() async throws {
        if let explain {
            guard let rule = DoctorCatalogue.rule(explain) else {
                throw ValidationError(
                    "no finding has the code \(explain); codes: " + DoctorCatalogue.rules.map(\.code).joined(separator: ", "))
            }
            print("\(rule.code): \(rule.title)\n\n\(rule.explanation)")
            return
        }
        let paths = DoctorRun.configPaths(haproxyConfigs)
        guard !paths.isEmpty || wantsLive else {
            throw ValidationError("no configuration to check: \(DoctorRun.defaultConfig) does not exist; give -f FILE|DIR or an instance option")
        }
        let setup = try instance.configuration()
        let specs = wantsLive ? try setup.instances() : []
        let timeout = try setup.requestTimeout()

        let version = noHAProxyCheck ? nil : await Self.haproxyVersion(haproxy)
        let reading = DoctorRun.readConfig(
            paths, environment: ProcessInfo.processInfo.environment, haproxyVersion: version, option: "-f")
        var findings = reading.findings
        let (config, files) = (reading.config, reading.files)

        var check = DoctorReport.HAProxyCheck(ran: false, version: version)
        if let config, !files.isEmpty {
            if noHAProxyCheck || version == nil {
                findings.append(DoctorFinding(
                    code: DoctorCode.haproxyCheckSkipped, severity: .info,
                    message: noHAProxyCheck ? "`haproxy -c` not run (--no-haproxy-check)" : "`\(haproxy) -v` did not run: `haproxy -c` skipped",
                    fix: nil))
            } else if let (valid, output) = await Self.haproxyCheck(haproxy, files: files) {
                check = DoctorReport.HAProxyCheck(ran: true, version: version, valid: valid)
                findings += HAProxyCheckOutput.findings(output, config: config)
            } else {
                findings.append(DoctorFinding(
                    code: DoctorCode.haproxyCheckSkipped, severity: .info,
                    message: "`\(haproxy) -c` did not complete (or printed more than 16 MB): only haws's rules ran", fix: nil))
            }
        }

        let probeSettings = try? setup.probeSettings(frontends: [])
        let facts = await withTaskGroup(of: (Int, DoctorLiveFacts).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask {
                    let facts = await Self.liveFacts(
                        spec, timeout: timeout, probing: !noProbe, settings: probeSettings, all: specs)
                    return (index, facts)
                }
            }
            var results: [(Int, DoctorLiveFacts)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let context = DoctorContext(fileDescriptorLimit: DoctorRun.fileDescriptorLimit(), websocketBackends: websocketBackends)
        findings += DoctorRun.findings(config: config, facts: facts, context: context)

        let report = DoctorReport(files: files, instances: specs.map(\.name), haproxyCheck: check, findings: findings)
        if json {
            print(report.json(), terminator: "")
        } else {
            print(report.table(color: Terminal.wantsColor(disabled: noColor)), terminator: "")
        }
        throw ExitCode(report.verdict.exitCode)
    }

    /// One instance's snapshot, old workers and probes, through the readers `haws status` uses.
    static func liveFacts(
        _ spec: InstanceSpec, timeout: Duration, probing: Bool, settings: ProbeSettings?, all specs: [InstanceSpec]
    ) async -> DoctorLiveFacts {
        let reader = InstanceReader(spec: spec, timeout: timeout)
        async let workers = reader.oldWorkers()
        let reading = await reader.read()
        let old = await workers
        guard case .read(let snapshot) = reading else {
            if case .unreachable(_, let error) = reading {
                return DoctorLiveFacts(instance: spec.name, unreachable: error)
            }
            return DoctorLiveFacts(instance: spec.name, unreachable: "no answer")
        }
        var probes: [ServerKey: StatusReport.ProbeEntry]?
        if probing, let settings {
            let results = await StatusCommand.probeRound([reading], settings: settings, frontendInstance: specs)
            probes = results.servers[spec.name] ?? [:]
        }
        return DoctorLiveFacts(
            instance: spec.name, snapshot: snapshot,
            oldWorkers: old?.map { .init(pid: $0.pid, ageSeconds: $0.uptimeSeconds, tunnels: $0.tunnels) },
            probes: probes)
    }

    static func executable(_ name: String) -> Executable {
        name.contains("/") ? .path(FilePath(name)) : .name(name)
    }

    /// `2.6.12` from `haproxy -v` ("HAProxy version 2.6.12-1+deb12u4 2025/..."); nil when it does not run.
    static func haproxyVersion(_ binary: String) async -> String? {
        guard let result = try? await Subprocess.run(
            executable(binary), arguments: ["-v"], output: .string(limit: 64 * 1024), error: .discarded),
            let line = result.standardOutput.split(separator: "\n").first,
            let range = line.firstRange(of: "version ")
        else { return nil }
        let version = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }

    /// `haproxy -c -f ...` on the files doctor read: whether it passed, and what it printed.
    static func haproxyCheck(_ binary: String, files: [String]) async -> (Bool, String)? {
        let arguments = ["-c"] + files.flatMap { ["-f", $0] }
        guard let result = try? await Subprocess.run(
            executable(binary), arguments: Arguments(arguments), output: .string(limit: 16 << 20),
            error: .string(limit: 16 << 20))
        else { return nil }
        return (result.terminationStatus.isSuccess, result.standardError + result.standardOutput)
    }
}
