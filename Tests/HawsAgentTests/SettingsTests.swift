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
