import Foundation
import HawsCore
import HawsMonitor
import HawsProbe
import HawsTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import HawsAgent

/// Shared values: a target, results, and board entries as the scheduler keeps them.
enum ProbeFixture {
    static let origin = ContinuousClock.now
    static let target = ProbeTarget(host: "127.0.0.1", port: 8001)
    static let s1 = ServerKey(backend: "ws_chat", server: "s1")
    static let s2 = ServerKey(backend: "ws_chat", server: "s2")
    static let accept = ProbeFailure.badAccept(expected: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", received: "bm9wZQ==")

    static func result(_ failure: ProbeFailure? = nil, at second: Double = 1_000) -> ProbeResult {
        ProbeResult(
            target: target, mode: .full, failure: failure,
            timings: ProbeTimings(
                connect: .microseconds(400), upgrade: .milliseconds(2), ping: failure == nil ? .milliseconds(1) : nil,
                close: failure == nil ? .microseconds(300) : nil, total: .microseconds(3_700)),
            httpStatus: 101, startedAt: Date(timeIntervalSince1970: second),
            finishedAt: Date(timeIntervalSince1970: second + 0.25))
    }

    static func entry(_ server: ServerKey, _ results: [ProbeResult], instance: String = "edge-1") -> ProbeBoard.Entry {
        let key = ProbeKey.server(server, instance: instance)
        var statistics = ProbeStatistics(origin: origin)
        var health = ProbeHealth()
        for result in results {
            statistics.record(result, at: origin + .seconds(1))
            _ = health.observe(result, key: key, at: result.finishedAt)
        }
        return ProbeBoard.Entry(
            key: key, target: target, mode: .full, lastResult: results.last,
            statistics: statistics.statistics(for: target.id, at: origin + .seconds(2)), health: health)
    }

    static func board(_ entries: [ProbeBoard.Entry], round: Int) -> ProbeBoard {
        ProbeBoard(
            entries: Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0) }),
            lastRound: ProbeBoard.Round(
                number: round, startedAt: Date(timeIntervalSince1970: 999), duration: .milliseconds(5), probes: 2,
                passed: 1, failed: 1, notProbeable: 0))
    }
}

@Suite struct ProbeLineTests {
    @Test func aFailedProbeLineCarriesTheFailureTimingsHealthAndWindow() async throws {
        let results = [ProbeFixture.result(), ProbeFixture.result(ProbeFixture.accept)]
        let entry = ProbeFixture.entry(ProbeFixture.s2, results)
        let bytes = ProbeLine.encode(entry, round: 2, time: Date())
        #expect(bytes.last == UInt8(ascii: "\n") && !bytes.dropLast().contains(UInt8(ascii: "\n")))
        let text = String(decoding: bytes, as: UTF8.self)
        let line = try #require(try parseLines(text).first)
        #expect(line["type"] as? String == "probe")
        #expect(line["time"] as? String == "1970-01-01T00:16:40.250Z")
        #expect(line["object"] as? String == "ws_chat/s2")
        #expect(line["backend"] as? String == "ws_chat" && line["server"] as? String == "s2")
        #expect(line["frontend"] is NSNull)
        #expect(line["round"] as? Int == 2)
        #expect(line["url"] as? String == "ws://127.0.0.1:8001/")
        #expect(line["result"] as? String == "fail")
        #expect(line["failure"] as? String == "bad_accept")
        #expect(line["failure_phase"] as? String == "upgrade")
        #expect((line["detail"] as? String)?.contains("Sec-WebSocket-Accept") == true)
        #expect(line["http_status"] as? Int == 101)
        let timings = try #require(line["timings_ms"] as? [String: Any])
        #expect(number(timings["connect"]) == 0.4 && number(timings["upgrade"]) == 2 && timings["ping"] is NSNull)
        #expect(number(timings["total"]) == 3.7)
        #expect(line["health"] as? String == "failing")
        #expect(line["consecutive_failures"] as? Int == 1)
        let window = try #require(line["window"] as? [String: Any])
        #expect(window["probes"] as? Int == 2 && number(window["success_ratio"]) == 0.5)
        #expect((window["failures"] as? [String: Any])?["bad_accept"] as? Int == 1)
        let percentiles = try #require(window["percentiles_ms"] as? [String: Any])
        #expect((percentiles["upgrade"] as? [String: Any])?["p95"] != nil)
        #expect(percentiles["tls"] is NSNull)
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }

    @Test func passingNotProbeableAndFrontendLinesFollowTheSchema() async throws {
        let passing = ProbeFixture.entry(ProbeFixture.s1, [ProbeFixture.result()])
        let pass = ProbeLine.encode(passing, round: 1, time: Date())
        let reason = "in MAINT: HAProxy sends it no traffic, so it is not probed"
        let maint = ProbeLine.encode(
            ProbeBoard.Entry(key: .server(ProbeFixture.s2, instance: "edge-1"), notProbeable: reason), round: 1,
            time: Date(timeIntervalSince1970: 0))
        let url = "ws://127.0.0.1:80/chat"
        let frontend = ProbeLine.encode(
            ProbeBoard.Entry(
                key: .frontend(url, instance: "edge-1"), target: ProbeFixture.target, mode: .full,
                lastResult: ProbeFixture.result(.connectRefused(address: "127.0.0.1:80"))),
            round: nil, time: Date())
        let text = String(decoding: pass + maint + frontend, as: UTF8.self)
        let lines = try parseLines(text)
        #expect(lines.map { $0["result"] as? String } == ["pass", "not_probeable", "fail"])
        #expect(lines[0]["failure"] is NSNull && lines[0]["health"] as? String == "passing")
        #expect(lines[1]["detail"] as? String == reason && lines[1]["timings_ms"] is NSNull)
        #expect(lines[1]["window"] is NSNull && lines[1]["url"] is NSNull && lines[1]["mode"] is NSNull)
        #expect(lines[1]["time"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(lines[2]["frontend"] as? String == url && lines[2]["backend"] is NSNull)
        #expect(lines[2]["object"] as? String == "frontend \(url)")
        #expect(lines[2]["failure"] as? String == "connect_refused")
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }
}

@Suite struct ProbeMetricsTests {
    @Test func resultsAreCountedOnceAndExportedPerServerAndPhase() async throws {
        var metrics = ProbeMetrics()
        let first = ProbeFixture.board(
            [
                ProbeFixture.entry(ProbeFixture.s1, [ProbeFixture.result()]),
                ProbeFixture.entry(ProbeFixture.s2, [ProbeFixture.result(ProbeFixture.accept)]),
            ], round: 1)
        metrics.record(first, news: first.news(since: nil))
        // The same board again (a round that probed nothing new): nothing is counted twice.
        metrics.record(first, news: first.news(since: first))
        let second = ProbeFixture.board(
            [
                ProbeFixture.entry(ProbeFixture.s1, [ProbeFixture.result(), ProbeFixture.result(at: 1_010)]),
                ProbeFixture.entry(ProbeFixture.s2, [ProbeFixture.result(ProbeFixture.accept)]),
            ], round: 2)
        let news = second.news(since: first)
        #expect(news.map(\.key.object) == ["ws_chat/s1"])
        metrics.record(second, news: news)

        var out = PrometheusExposition()
        metrics.contribute(into: &out, perServer: true)
        let parsed = try await Python.parseExposition(out.render())
        let s1 = #"instance="edge-1",phase="connect",server="s1""#
        #expect(parsed[#"haws_probe_duration_seconds_count{backend="ws_chat",\#(s1)}"#] == 2)
        let bucket = #"haws_probe_duration_seconds_bucket{backend="ws_chat",instance="edge-1",le="#
        #expect(parsed[bucket + #""0.0005",phase="connect",server="s1"}"#] == 2)  // 0.4 ms
        #expect(parsed[bucket + #""+Inf",phase="connect",server="s1"}"#] == 2)
        #expect(
            parsed[#"haws_probe_duration_seconds_count{backend="ws_chat",instance="edge-1",phase="total",server="s1"}"#]
                == 2)
        // A failed probe has no total (a timeout is not a latency), but its finished phases count.
        #expect(
            parsed[#"haws_probe_duration_seconds_count{backend="ws_chat",instance="edge-1",phase="total",server="s2"}"#]
                == nil)
        let count = #"haws_probe_duration_seconds_count{backend="ws_chat",instance="edge-1","#
        #expect(parsed[count + #"phase="upgrade",server="s2"}"#] == 1)
        #expect(parsed[#"haws_probe_success{backend="ws_chat",instance="edge-1",server="s1"}"#] == 1)
        #expect(parsed[#"haws_probe_success{backend="ws_chat",instance="edge-1",server="s2"}"#] == 0)
        #expect(parsed[#"haws_probes_total{backend="ws_chat",instance="edge-1",result="pass",server="s1"}"#] == 2)
        #expect(parsed[#"haws_probes_total{backend="ws_chat",instance="edge-1",result="bad_accept",server="s2"}"#] == 1)
        #expect(parsed["haws_probe_rounds_total{}"] == 2)
        #expect(parsed["haws_probe_round_overruns_total{}"] == 0)

        // Beyond --max-server-series: summed per backend, no per-server series, no success gauge.
        var truncated = PrometheusExposition()
        metrics.contribute(into: &truncated, perServer: false)
        let backend = try await Python.parseExposition(truncated.render())
        #expect(backend[#"haws_probes_total{backend="ws_chat",instance="edge-1",result="pass"}"#] == 2)
        #expect(backend[#"haws_probes_total{backend="ws_chat",instance="edge-1",result="bad_accept"}"#] == 1)
        #expect(backend[count + #"phase="connect"}"#] == 3)
        #expect(!truncated.render().contains("server=") && !truncated.contains(.probeSuccess))

        // A server that left the configuration leaves the metrics.
        let third = ProbeFixture.board(
            [ProbeFixture.entry(ProbeFixture.s1, [ProbeFixture.result(at: 1_020)])], round: 3)
        metrics.record(third, news: third.news(since: second))
        var after = PrometheusExposition()
        metrics.contribute(into: &after, perServer: true)
        #expect(!after.render().contains("server=\"s2\""))
    }

    @Test func theServerSeriesRuleIsTheExpositionsOwn() async {
        let state = await Fixture.state(
            [ScriptedSource([.stats(info: Fixture.info(), csv: Fixture.csv())]).source("edge-1")], polls: 1)
        var observed = AgentObservations.Snapshot()
        observed.state = state
        for limit in [3, 4] {  // the fixture has 4 servers
            let writes = AgentExposition.writesServerSeries(observed, maxServerSeries: limit)
            let text = AgentExposition.build(observed, maxServerSeries: limit).render()
            #expect(writes == text.contains("haws_server_up{"), "limit \(limit)")
        }
    }
}

@Suite struct AgentProbingTests {
    /// The agent with probes: a scripted HAProxy, a scripted probe that fails `ws_chat` (bad Accept) and passes the
    /// rest, a short interval; lines, events and metrics all come from the same rounds.
    @Test func probeLinesEventsAndMetricsFromTheSameRounds() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = ScriptedSource([.stats(info: Fixture.info(), csv: Fixture.csv())])
        var settings = AgentSettings()
        settings.fullSnapshotInterval = .zero  // a full snapshot and every probe line, every poll
        settings.statsInterval = .milliseconds(50)
        settings.ndjson = .file(directory.file("agent.ndjson"))
        var probes = ProbeSettings(interval: .milliseconds(50), jitter: .zero)
        probes.backends["ws_chat"] = BackendProbeSettings(path: "/chat")
        settings.probes = probes
        let probed = NIOLockedValueBox(0)
        let probe: ProbeScheduler.Probe = { target, options in
            probed.withLockedValue { $0 += 1 }
            let start = Date()
            let failure: ProbeFailure? = target.path == "/chat" ? ProbeFixture.accept : nil
            return ProbeResult(
                target: target, mode: options.mode, failure: failure,
                timings: ProbeTimings(connect: .microseconds(300), upgrade: .milliseconds(1), total: .milliseconds(2)),
                httpStatus: 101, startedAt: start, finishedAt: Date())
        }
        let agent = Agent(settings: settings, sources: [script.source("edge-1")], probe: probe) { _ in }
        let running = Task { await agent.run() }
        let path = directory.file("agent.ndjson")
        func lines() -> [[String: Any]] {
            (try? parseLines((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")) ?? []
        }
        let done = try await poll(timeout: .seconds(10)) {
            lines().filter { $0["type"] as? String == "probe" && $0["result"] as? String == "fail" }.count >= 6
        }
        #expect(done, "\(lines().suffix(5))")
        let metrics = try await Python.parseExposition(agent.metricsText())
        agent.stop()
        await running.value

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let all = try parseLines(text)
        let probeLines = all.filter { $0["type"] as? String == "probe" }
        // s1, s2 (DRAIN still gets probed) and s3 (DOWN) of ws_chat fail; f1 is in MAINT: listed once, not probed.
        let failed = probeLines.filter { $0["result"] as? String == "fail" }
        let objects = Set(failed.compactMap { $0["object"] as? String })
        #expect(objects == ["ws_chat/s1", "ws_chat/s2", "ws_chat/s3"])
        let f1 = probeLines.filter { $0["object"] as? String == "ws_feed/f1" }
        #expect(f1.map { $0["result"] as? String } == ["not_probeable"])
        let failures = all.filter { $0["type"] as? String == "event" && $0["kind"] as? String == "probe_failure" }
        // One event per server when it starts failing, not one per round.
        #expect(failures.compactMap { $0["object"] as? String }.sorted() == ["ws_chat/s1", "ws_chat/s2", "ws_chat/s3"])
        #expect(failures.allSatisfy { $0["after"] as? String == "bad_accept" })
        #expect(try await Python.schemaProblems(ndjson: text) == nil)

        let s1 = #"instance="edge-1",result="bad_accept",server="s1"}"#
        #expect((metrics[#"haws_probes_total{backend="ws_chat","# + s1] ?? 0) >= 2)
        #expect(metrics[#"haws_probe_success{backend="ws_chat",instance="edge-1",server="s1"}"#] == 0)
        let upgrade = #"instance="edge-1",phase="upgrade",server="s1"}"#
        #expect((metrics[#"haws_probe_duration_seconds_count{backend="ws_chat","# + upgrade] ?? 0) >= 2)
        #expect((metrics["haws_probe_rounds_total{}"] ?? 0) >= 2)
        #expect(probed.withLockedValue { $0 } >= 2)
    }

    /// `--max-probe-series` below the server count: probe series summed per backend (and flagged) while the other
    /// server series stay per server.
    @Test func probeSeriesBeyondMaxProbeSeriesAreSummedPerBackend() async throws {
        let script = ScriptedSource([.stats(info: Fixture.info(), csv: Fixture.csv())])  // 4 servers, 3 probed
        var settings = AgentSettings()
        settings.fullSnapshotInterval = .zero  // a full snapshot and every probe line, every poll
        settings.statsInterval = .milliseconds(50)
        settings.maxProbeSeries = 3
        settings.probes = ProbeSettings(interval: .milliseconds(50), jitter: .zero)
        let agent = Agent(
            settings: settings, sources: [script.source("edge-1")],
            probe: { target, options in
                ProbeResult(
                    target: target, mode: options.mode, failure: nil,
                    timings: ProbeTimings(
                        connect: .microseconds(300), upgrade: .milliseconds(1), total: .milliseconds(2)),
                    httpStatus: 101, startedAt: Date(), finishedAt: Date())
            }
        ) { _ in }
        let running = Task { await agent.run() }
        // Two rounds of the three probeable servers (f1 is in MAINT), summed into ws_chat.
        let passed = #"haws_probes_total{instance="edge-1",backend="ws_chat",result="pass"} "#
        let counted = try await poll(timeout: .seconds(10)) {
            let line = agent.metricsText().split(separator: "\n").first { $0.hasPrefix(passed) }
            return (line.flatMap { Int($0.dropFirst(passed.count)) } ?? 0) >= 6
        }
        let text = agent.metricsText()
        agent.stop()
        await running.value
        #expect(counted, "\(text)")
        let probeLines = text.split(separator: "\n").filter { $0.hasPrefix("haws_probe") }
        #expect(!probeLines.isEmpty && probeLines.allSatisfy { !$0.contains("server=") }, "\(probeLines)")
        #expect(!text.contains("haws_probe_success{"))
        #expect(text.contains(#"haws_server_up{instance="edge-1",backend="ws_chat",server="s1"}"#))
        #expect(text.contains("haws_agent_probe_series_truncated 1"))
        #expect(text.contains("haws_agent_series_truncated 0"))
    }

    @Test func withoutProbeSettingsTheAgentNeverProbes() async throws {
        let script = ScriptedSource([.stats(info: Fixture.info(), csv: Fixture.csv())])
        var settings = AgentSettings()
        settings.fullSnapshotInterval = .zero  // a full snapshot and every probe line, every poll
        settings.statsInterval = .milliseconds(20)
        let probed = NIOLockedValueBox(0)
        let agent = Agent(
            settings: settings, sources: [script.source("edge-1")],
            probe: { target, options in
                probed.withLockedValue { $0 += 1 }
                return ProbeResult(
                    target: target, mode: options.mode, failure: nil, timings: ProbeTimings(), startedAt: Date(),
                    finishedAt: Date())
            }
        ) { _ in }
        let running = Task { await agent.run() }
        _ = try await poll(timeout: .seconds(5)) {
            (agent.observations.snapshot.state?.instances.first?.polls ?? 0) >= 5
        }
        agent.stop()
        await running.value
        #expect(probed.withLockedValue { $0 } == 0)
        #expect(!agent.metricsText().contains("haws_probe"))
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes (``eventually(timeout:interval:_:)``).
    func poll(timeout: Duration, _ condition: () -> Bool) async throws -> Bool {
        await eventually(timeout: timeout, interval: .milliseconds(20), condition)
    }
}
