import ArgumentParser
import Foundation
import HawsClient
import HawsCore

/// `haws status`: one read of every instance, a table or JSON, and a Nagios exit code.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the state of every frontend, backend and server once, with a Nagios exit code.",
        discussion: """
            Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (HAProxy unreachable, bad arguments).
            Defaults: a server DOWN is WARNING, a backend with no server up is CRITICAL, DRAIN and MAINT are \
            OK but listed, session use at 80% of a limit is WARNING and at 95% CRITICAL.
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

    func validate() throws {
        for (name, value) in [("--sessions-warning", sessionsWarning), ("--sessions-critical", sessionsCritical)] where !(0...1000).contains(value) {
            throw ValidationError("\(name) must be a percentage between 0 and 1000, not \(value)")
        }
    }

    func run() async throws {
        let specs = try instance.instances()
        let timeout = try instance.requestTimeout()
        var policy = StatusPolicy()
        policy.serverDown = down.severity
        policy.serverDrain = drain.severity
        policy.serverMaint = maint.severity
        policy.backendNoServerUp = noServerUp.severity
        policy.sessionsWarningPercent = sessionsWarning > 0 ? sessionsWarning : nil
        policy.sessionsCriticalPercent = sessionsCritical > 0 ? sessionsCritical : nil

        let readings = await withTaskGroup(of: (Int, InstanceReading).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask { (index, await InstanceReader(spec: spec, timeout: timeout).read()) }
            }
            var results: [(Int, InstanceReading)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let report = StatusEvaluator.evaluate(readings, policy: policy)
        if json {
            print(report.json(), terminator: "")
        } else {
            print(StatusTableRenderer(color: Terminal.wantsColor(disabled: noColor)).render(report), terminator: "")
            for reading in readings {
                if case .unreachable(let name, let error) = reading {
                    FileHandle.standardError.write(Data("haws: \(name): \(error)\n".utf8))
                }
            }
        }
        throw ExitCode(report.verdict.exitCode)
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
