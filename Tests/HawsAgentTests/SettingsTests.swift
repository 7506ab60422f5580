import HawsClient
import Testing

@testable import HawsAgent

@Suite struct SettingsTests {
    @Test func listenAddresses() throws {
        #expect(try ListenAddress(parsing: "9101") == ListenAddress(host: "127.0.0.1", port: 9101))
        #expect(try ListenAddress(parsing: ":9101") == ListenAddress(host: "127.0.0.1", port: 9101))
        #expect(try ListenAddress(parsing: "localhost:9101") == ListenAddress(host: "127.0.0.1", port: 9101))
        #expect(try ListenAddress(parsing: "0.0.0.0:9101").isLoopback == false)
        #expect(try ListenAddress(parsing: "[::1]:9101") == ListenAddress(host: "::1", port: 9101))
        #expect(try ListenAddress(parsing: "[::1]:9101").isLoopback)
        #expect(try ListenAddress(parsing: "[::]:0").description == "[::]:0")
        for bad in ["", "metrics.example.com:9101", "127.0.0.1:99999", "127.0.0.1:", "[::1]9101", "1.2.3:80"] {
            #expect(throws: AgentSettingError.self, "\(bad)") { try ListenAddress(parsing: bad) }
        }
        do {
            _ = try ListenAddress(parsing: "prometheus.local:9101")
        } catch {
            #expect(String(describing: error).contains("not an IP address"))
        }
    }

    @Test func byteCounts() throws {
        #expect(try ByteCount(parsing: "100MB").bytes == 100 << 20)
        #expect(try ByteCount(parsing: "100 mib").bytes == 100 << 20)
        #expect(try ByteCount(parsing: "512k").bytes == 512 << 10)
        #expect(try ByteCount(parsing: "1G").bytes == 1 << 30)
        #expect(try ByteCount(parsing: "1048576").bytes == 1_048_576)
        #expect(try ByteCount(parsing: "2GB").description == "2GB")
        for bad in ["", "MB", "-1MB", "0", "10TB", "1.5GB"] {
            #expect(throws: AgentSettingError.self, "\(bad)") { try ByteCount(parsing: bad) }
        }
    }

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

    @Test func defaultsAndEngineConfiguration() {
        var settings = AgentSettings()
        #expect(settings.statsInterval == .seconds(1))
        #expect(settings.sessionsInterval == .seconds(5))
        #expect(settings.maxServerSeries == 10_000)
        // Probe histograms are ~5x a server's other series: their own limit, never above the server one.
        #expect(settings.maxProbeSeries == 500 && settings.probeSeriesLimit == 500)
        settings.maxServerSeries = 100
        #expect(settings.probeSeriesLimit == 100)
        settings.maxServerSeries = 10_000
        settings.defaultToStandardOutput()
        #expect(settings.ndjson == .standardOutput)
        var metricsOnly = AgentSettings()
        metricsOnly.prometheus = ListenAddress(host: "127.0.0.1", port: 9101)
        metricsOnly.defaultToStandardOutput()
        #expect(metricsOnly.ndjson == nil)
        #expect(settings.monitorConfiguration.historyCapacity == 0)
        #expect(NDJSONDestination(argument: "-") == .standardOutput)
    }
}
