import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsAgent

@Suite struct PrometheusExpositionTests {
    @Test func formatEscapingAndFamilyGrouping() async throws {
        var out = PrometheusExposition()
        out.add(.serverTunnels, [("instance", "a"), ("backend", "b"), ("server", "s1")], 3)
        out.add(.instanceUp, [("instance", "quote \" backslash \\ newline \n end")], 1)
        out.add(.serverTunnels, [("instance", "a"), ("backend", "b"), ("server", "s2")], 0)
        out.add(.instanceUptime, [("instance", "a")], 0.25)
        out.add(.instanceConnections, [("instance", "a")], 1e-5)
        out.add(.seriesTruncated, [], 0)
        var histogram = BucketHistogram(bounds: [0.01, 0.1, 1])
        for value in [0.005, 0.05, 0.05, 5] { histogram.observe(value) }
        out.addHistogram(.pollDuration, [("instance", "a"), ("poll", "stats")], histogram)
        let text = out.render()

        #expect(text.contains(#"haws_instance_up{instance="quote \" backslash \\ newline \n end"} 1"#), "\(text)")
        #expect(text.contains("haws_instance_uptime_seconds{instance=\"a\"} 0.25\n"))
        #expect(text.contains("haws_instance_current_connections{instance=\"a\"} 1e-05\n"))
        #expect(text.contains("haws_poll_duration_seconds_bucket{instance=\"a\",poll=\"stats\",le=\"0.1\"} 3\n"))
        #expect(text.contains("haws_poll_duration_seconds_bucket{instance=\"a\",poll=\"stats\",le=\"+Inf\"} 4\n"))
        #expect(text.contains("haws_poll_duration_seconds_count{instance=\"a\",poll=\"stats\"} 4\n"))
        // HELP and TYPE once per family, and the family's samples contiguous (the format requires it).
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("# TYPE haws_server_tunnels ") }.count == 1)
        let tunnelLines = lines.indices.filter { lines[$0].hasPrefix("haws_server_tunnels{") }
        #expect(tunnelLines == [tunnelLines[0], tunnelLines[0] + 1])
        #expect(lines.contains("# TYPE haws_poll_duration_seconds histogram"))
        #expect(!text.contains("haws_probe_duration_seconds"), "a family without samples is left out")

        let parsed = try await Python.parseExposition(text)
        // The parser gives the label value back unescaped.
        #expect(
            parsed["haws_instance_up{instance=\"quote \" backslash \\ newline \n end\"}"] == 1,
            "\(parsed.keys.sorted())")
        #expect(parsed[#"haws_server_tunnels{backend="b",instance="a",server="s1"}"#] == 3)
        #expect(parsed[#"haws_poll_duration_seconds_sum{instance="a",poll="stats"}"#] == 5.105)
    }

    @Test func valueFormatting() {
        #expect(PrometheusExposition.format(3) == "3")
        #expect(PrometheusExposition.format(-2) == "-2")
        #expect(PrometheusExposition.format(.nan) == "NaN")
        #expect(PrometheusExposition.format(.infinity) == "+Inf")
        #expect(PrometheusExposition.format(-.infinity) == "-Inf")
        #expect(PrometheusExposition.format(1e20) == "1e+20")
        #expect(PrometheusExposition.format(0.1) == "0.1")
    }

    @Test func familiesFollowPrometheusConventions() {
        var names = Set<String>()
        for family in MetricFamily.allCases {
            #expect(names.insert(family.name).inserted, "duplicate \(family.name)")
            #expect(family.name.hasPrefix("haws_"))
            #expect(family.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(family.name)")
            #expect(
                (family.kind == .counter) == family.name.hasSuffix("_total"),
                "\(family.name): counters, and only they, end in _total")
            if family.kind == .histogram { #expect(family.name.hasSuffix("_seconds")) }
            #expect(!family.help.isEmpty && !family.help.contains("\n"))
        }
    }
}

@Suite struct AgentExpositionTests {
    func observed(_ state: MonitorState) -> AgentObservations.Snapshot {
        var snapshot = AgentObservations.Snapshot()
        snapshot.state = state
        snapshot.reloads = ["edge-1": 2]
        var histogram = BucketHistogram()
        histogram.observe(0.003)
        snapshot.statsPollDurations = ["edge-1": histogram]
        return snapshot
    }

    @Test func numbersEqualTheNDJSONLine() async throws {
        let script = ScriptedSource(
            [
                .stats(info: Fixture.info(), csv: Fixture.csv(scale: 1)),
                .stats(info: Fixture.info(uptime: 61), csv: Fixture.csv(scale: 2)),
            ],
            tunnels: Fixture.tunnels)
        let state = await Fixture.state([script.source("edge-1")], polls: 2)
        let text = AgentExposition.build(observed(state), maxServerSeries: 10_000).render()
        let metrics = try await Python.parseExposition(text)
        let line = try #require(
            try JSONSerialization.jsonObject(
                with: Data(SnapshotLine.encode(state.instances[0], time: Date(), pollDuration: nil)))
                as? [String: Any])

        #expect(metrics[#"haws_instance_up{instance="edge-1"}"#] == 1)
        #expect(metrics[#"haws_instance_reloads_total{instance="edge-1"}"#] == 2)
        #expect(metrics[#"haws_instance_tunnels{instance="edge-1"}"#] == number(line["tunnels"]))
        #expect(metrics[#"haws_old_worker_tunnels{instance="edge-1"}"#] == number(line["old_worker_tunnels"]))
        #expect(metrics[#"haws_instance_uptime_seconds{instance="edge-1"}"#] == 61)
        #expect(metrics[#"haws_poll_duration_seconds_count{instance="edge-1",poll="stats"}"#] == 1)
        for backend in try #require(line["backends"] as? [[String: Any]]) {
            let name = try #require(backend["name"] as? String)
            #expect(
                metrics[#"haws_backend_tunnels{backend="\#(name)",instance="edge-1"}"#] == number(backend["tunnels"]))
            #expect(
                metrics[#"haws_backend_upgrades_total{backend="\#(name)",instance="edge-1"}"#]
                    == number(backend["upgrades_total"]))
            for server in try #require(backend["servers"] as? [[String: Any]]) {
                let labels = #"backend="\#(name)",instance="edge-1",server="\#(server["name"] as! String)""#
                #expect(metrics["haws_server_tunnels{\(labels)}"] == number(server["tunnels"]))
                #expect(metrics["haws_server_sessions{\(labels)}"] == number(server["sessions"]))
                #expect(metrics["haws_server_weight{\(labels)}"] == number(server["weight"]))
                #expect(metrics["haws_server_upgrades_total{\(labels)}"] == number(server["upgrades_total"]))
            }
        }
        #expect(metrics[#"haws_server_state{backend="ws_chat",instance="edge-1",server="s2",state="drain"}"#] == 1)
        #expect(metrics[#"haws_server_state{backend="ws_chat",instance="edge-1",server="s2",state="up"}"#] == nil)
        let s2States = metrics.keys.filter { $0.hasPrefix("haws_server_state{") && $0.contains(#"server="s2""#) }
        #expect(s2States.count == 1, "only the current state: \(s2States)")
        #expect(metrics[#"haws_server_up{backend="ws_chat",instance="edge-1",server="s3"}"#] == 0)
        #expect(metrics[#"haws_server_check_passed{backend="ws_chat",instance="edge-1",server="s3"}"#] == 0)
        #expect(metrics[#"haws_server_up{backend="ws_feed",instance="edge-1",server="f1"}"#] == 0)
        #expect(metrics[#"haws_backend_servers{backend="ws_chat",instance="edge-1",state="down"}"#] == 1)
        #expect(metrics[#"haws_backend_up{backend="ws_feed",instance="edge-1"}"#] == 0)
        #expect(metrics["haws_agent_series_truncated{}"] == 0)
    }

    @Test func beyondMaxServerSeriesOnlyBackendSeriesRemain() async throws {
        let script = ScriptedSource([.stats(info: Fixture.info(), csv: Fixture.csv())], tunnels: Fixture.tunnels)
        let state = await Fixture.state([script.source("edge-1")], polls: 1)
        let text = AgentExposition.build(observed(state), maxServerSeries: 3).render()  // 4 servers
        #expect(!text.contains("haws_server_"))
        #expect(text.contains("haws_agent_series_truncated 1\n"))
        let metrics = try await Python.parseExposition(text)
        #expect(metrics[#"haws_backend_servers{backend="ws_chat",instance="edge-1",state="up"}"#] == 1)
        // 10 open on the current worker by its counters (12 + 4 upgrades answered, 6 ended), 3 on an old worker.
        #expect(metrics[#"haws_backend_tunnels{backend="ws_chat",instance="edge-1"}"#] == 13)
        let full = AgentExposition.build(observed(state), maxServerSeries: 4).render()
        #expect(full.contains("haws_server_tunnels{"))
    }

    @Test func unreachableInstanceExportsOnlyItsInstanceSeries() async throws {
        let script = ScriptedSource([.stats(info: Fixture.info(), csv: Fixture.csv()), .failure("refused")])
        let state = await Fixture.state([script.source("edge-1")], polls: 2)
        let text = AgentExposition.build(observed(state), maxServerSeries: 10_000).render()
        let metrics = try await Python.parseExposition(text)
        #expect(metrics[#"haws_instance_up{instance="edge-1"}"#] == 0)
        #expect(metrics[#"haws_instance_polls_total{instance="edge-1"}"#] == 2)
        #expect(metrics[#"haws_instance_poll_errors_total{instance="edge-1"}"#] == 1)
        #expect(!text.contains("haws_backend_"))
        #expect(!text.contains("haws_server_"))
    }

    @Test func contributorsAddFamiliesSuchAsProbeLatency() async throws {
        var histogram = BucketHistogram(bounds: [0.005, 0.05])
        histogram.observe(0.004)
        let probe: AgentMetricsContributor = { [histogram] out in
            out.addHistogram(
                .probeDuration, [("instance", "edge-1"), ("target", "wss://x/chat"), ("phase", "upgrade")], histogram)
        }
        let text = AgentExposition.build(AgentObservations.Snapshot(), maxServerSeries: 1, contributors: [probe])
            .render()
        let metrics = try await Python.parseExposition(text)
        #expect(
            metrics[#"haws_probe_duration_seconds_count{instance="edge-1",phase="upgrade",target="wss://x/chat"}"#] == 1
        )
    }
}
