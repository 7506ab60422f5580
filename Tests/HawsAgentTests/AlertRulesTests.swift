import Foundation
import HawsClient
import HawsConfig
import HawsProbe
import Subprocess
import Testing

@testable import HawsAgent

/// The Prometheus alert rules (`Dashboards/alerts/`) and the example config the packages install.
///
/// The rules query only metrics the agent exports (a renamed family fails here, not as an alert that can never
/// fire), Prometheus' own `promtool` accepts them, and their unit tests (`haws.rules.test.yml`: each rule fires on
/// the problem and stays quiet on a healthy neighbour) pass. `promtool` comes from Debian's `prometheus` package,
/// installed by `make setup`; without it the test fails with that fix, it never skips.
@Suite struct AlertRulesTests {
    static let rules = Repository.path("Dashboards/alerts/haws.rules.yml")
    static let ruleTests = Repository.path("Dashboards/alerts/haws.rules.test.yml")

    struct Run {
        let code: Int32
        let output: String
    }

    func promtool(_ arguments: [String]) async throws -> Run {
        let found = FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")
            || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/promtool")
            }
        try #require(found, "promtool is missing: run `make setup` (apt-get install prometheus)")
        let result = try await Subprocess.run(
            .name("promtool"), arguments: Arguments(arguments),
            output: .string(limit: 4 << 20), error: .string(limit: 4 << 20))
        let code: Int32 = if case .exited(let value) = result.terminationStatus { Int32(value) } else { -1 }
        return Run(code: code, output: result.standardOutput + result.standardError)
    }

    @Test func promtoolAcceptsTheRules() async throws {
        let run = try await promtool(["check", "rules", Self.rules])
        #expect(run.code == 0, "\(run.output)")
        #expect(run.output.contains("SUCCESS"), "\(run.output)")
    }

    @Test func ruleUnitTestsPass() async throws {
        let run = try await promtool(["test", "rules", Self.ruleTests])
        #expect(run.code == 0, "\(run.output)")
    }

    @Test func everyRuleHasAUnitTestThatExpectsItToFire() throws {
        let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let tests = try String(contentsOfFile: Self.ruleTests, encoding: .utf8)
        let names = rules.matches(of: /- alert: (\w+)/).map { String($0.output.1) }
        #expect(names.count >= 9, "\(names)")
        for name in names {
            // A test of `name` with a non-empty exp_alerts list.
            let firing = try Regex("alertname: \(name)\\n\\s*exp_alerts:\\n\\s*- exp_labels")
            #expect(tests.contains(firing), "no test expects \(name) to fire")
        }
    }

    @Test func rulesQueryOnlyExportedMetrics() throws {
        let text = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let exported = Set(MetricFamily.allCases.flatMap(\.sampleNames))
        let used = Set(text.matches(of: /haws_[a-z0-9_]+/).map { String($0.output) })
        let unknown = used.subtracting(exported)
        #expect(unknown.isEmpty, "the alert rules query metrics the agent does not export: \(unknown.sorted())")
        for required in [
            "haws_instance_up", "haws_instance_polls_total", "haws_probes_total", "haws_probe_success",
            "haws_server_state", "haws_backend_tunnels", "haws_old_worker_tunnels", "haws_poll_duration_seconds_bucket",
            "haws_probe_round_overruns_total",
        ] {
            #expect(used.contains(required), "no rule uses \(required)")
        }
    }

    /// The config haws-agent.service starts with: every section and key is one the agent reads.
    @Test func exampleConfigIsReadByTheAgent() throws {
        let file = try HawsConfigFile.load(path: Repository.path("Dashboards/config/haws.toml"))
        #expect(file.instances.map(\.name) == ["local"])
        let settings = try file.agentSettings()
        #expect(settings.ndjson == "/var/log/haws/agent.ndjson")
        #expect(settings.prometheus == "127.0.0.1:9101")
        #expect(settings.statsInterval == .seconds(1))
        let probes = try #require(try file.probes())
        _ = try ProbeSettings(config: probes)
    }

    /// The unit runs the agent with that config, as the user the package creates.
    @Test func unitRunsTheAgentWithThePackagedConfig() throws {
        let unit = try String(contentsOfFile: Repository.path("Dashboards/systemd/haws-agent.service"), encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map(String.init))
        for line in [
            "ExecStart=/usr/bin/haws agent --config /etc/haws/haws.toml", "User=haws", "Group=haproxy",
            "LogsDirectory=haws", "ProtectSystem=strict", "NoNewPrivileges=yes", "CapabilityBoundingSet=",
        ] {
            #expect(lines.contains(line), "haws-agent.service lacks \(line)")
        }
    }
}
