import Testing

@testable import HawsConfig

/// `[intervals]` and `[outputs]`, the sections `haws agent` gives meaning to, read and checked when the file loads.
@Suite struct AgentFileSettingsTests {
    @Test func configFileSections() throws {
        let file = try HawsConfigFile(
            parsing: """
                [[instance]]
                socket = "/run/haproxy/admin.sock"

                [intervals]
                stats = "500ms"
                sessions = "2s"

                [outputs]
                ndjson = "/var/log/haws/agent.ndjson"
                prometheus = "127.0.0.1:9101"
                rotate_size = "100MB"
                rotate_keep = 3
                max_server_series = 500
                max_probe_series = 50
                """, file: "haws.toml")
        let settings = try file.agentSettings()
        #expect(settings.statsInterval == .milliseconds(500))
        #expect(settings.sessionsInterval == .seconds(2))
        #expect(settings.ndjson == "/var/log/haws/agent.ndjson")
        #expect(settings.prometheus == "127.0.0.1:9101")
        #expect(settings.rotateSize == "100MB")
        #expect(settings.rotateKeep == 3)
        #expect(settings.maxServerSeries == 500)
        #expect(settings.maxProbeSeries == 50)
        #expect(settings.location(of: "rotate_size") == "haws.toml: [outputs], key rotate_size")

        let bytes = try HawsConfigFile(parsing: "[outputs]\nrotate_size = 1048576\n", file: "haws.toml").agentSettings()
        #expect(bytes.rotateSize == "1048576")
        #expect(try HawsConfigFile(parsing: "", file: "haws.toml").agentSettings().statsInterval == nil)
    }

    @Test func configFileErrorsNameTheKeyAndTheFix() throws {
        let cases: [(String, String)] = [
            ("[intervals]\nstats = 1\n", "[intervals], key stats: expected a duration string"),
            ("[intervals]\nstats = \"0s\"\n", "must be more than 0"),
            ("[intervals]\nstat = \"1s\"\n", "unknown key 'stat'; did you mean 'stats'?"),
            ("[outputs]\nrotate_keep = -1\n", "[outputs], key rotate_keep: must be 0 or more"),
            ("[outputs]\nmax_probe_series = -1\n", "[outputs], key max_probe_series: must be 0 or more"),
            ("[outputs]\nprometheus = 9101\n", "key prometheus: expected a string"),
            ("[outputs]\nndjson = \"\"\n", "\"-\" for standard output"),
        ]
        for (text, expected) in cases {
            do {
                _ = try HawsConfigFile(parsing: text, file: "haws.toml").agentSettings()
                Issue.record("no error for \(text)")
            } catch {
                let message = String(describing: error)
                #expect(message.contains(expected), "\(message)")
                #expect(message.hasPrefix("haws.toml: "))
            }
        }
    }
}

extension AgentFileSettingsTests {
    /// The values only the agent uses are checked when the file loads, so every command that reads the file
    /// reports them (`haws status --config` as well as `haws agent --config`).
    @Test func outputsAreCheckedWhenTheFileLoads() {
        let cases: [(String, String)] = [
            ("[outputs]\nprometheus = \"metrics.local:9101\"\n", "haws.toml: [outputs], key prometheus: "),
            ("[outputs]\nrotate_size = \"10TB\"\n", "haws.toml: [outputs], key rotate_size: "),
            (
                "[outputs]\nndjson = \"a\"\nrotate_size = \"1MB\"\nrotate_keep = 1001\n",
                "haws.toml: [outputs], key rotate_keep: must be at most 1000, not 1001"
            ),
            (
                "[outputs]\nrotate_keep = 3\n",
                "haws.toml: [outputs], key rotate_keep: needs rotate_size, e.g. \"100MB\""
            ),
        ]
        for (text, expected) in cases {
            do {
                _ = try HawsConfigFile(parsing: text, file: "haws.toml")
                Issue.record("no error for \(text)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
                #expect(error.kind == .invalidValue || error.kind == .missingKey)
            }
        }
    }
}
