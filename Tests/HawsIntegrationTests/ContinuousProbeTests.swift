import Foundation
import HawsLab
import HawsTestSupport
import Testing

/// Continuous probing in `haws agent` and `haws top` against a real HAProxy: the lab of
/// ``ProbeAgainstHAProxyTests`` (`ws_chat`: s1, s2; `ws_bad`: b1 correct, b2 answering with a wrong
/// Sec-WebSocket-Accept while HAProxy's check keeps it UP). Short probe intervals; every wait polls with a deadline.
@Suite(.serialized) struct ContinuousProbeTests {
    static let good = [("ws_chat", "s1"), ("ws_chat", "s2"), ("ws_bad", "b1")]

    /// `name{backend="b",instance="i",[extra,]server="s"}` with labels sorted as the scrape helper writes them.
    static func key(
        _ name: String, _ backend: String, _ server: String, instance: String, extra: [(String, String)] = []
    ) -> String {
        let labels = ([("backend", backend), ("instance", instance), ("server", server)] + extra)
            .sorted { $0.0 < $1.0 }.map { #"\#($0.0)="\#($0.1)""# }.joined(separator: ",")
        return "\(name){\(labels)}"
    }

    /// An agent polling every 200 ms and probing every 300 ms, with NDJSON and `/metrics` on a kernel-chosen port.
    static func probingAgent(socket: String, directory: TemporaryDirectory, _ extra: String...) async throws -> AgentProcess {
        try await AgentProcess.start(
            [
                "agent", "--socket", socket, "--interval", "200ms", "--probe-interval", "300ms", "--output",
                directory.ndjson, "--prometheus", "127.0.0.1:0",
            ] + extra, directory: directory)
    }

    @Test func agentExportsProbeHistogramsAndReportsTheWrongAcceptServer() async throws {
        try await ProbeAgainstHAProxyTests.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let directory = try TemporaryDirectory()
            let agent = try await Self.probingAgent(socket: socket, directory: directory)
            do {
                let port = try #require(await agent.metricsPort, "no metrics address: \(agent.stderr)")
                #expect(agent.stderr.contains("probing servers every 300ms"), "\(agent.stderr)")
                var metrics: [String: Double] = [:]
                func value(_ name: String, _ backend: String, _ server: String, _ extra: [(String, String)]) -> Double {
                    metrics[Self.key(name, backend, server, instance: socket, extra: extra)] ?? 0
                }
                let probed = try await eventually(timeout: .seconds(20), interval: .milliseconds(200)) {
                    metrics = try await Prometheus.scrape("http://127.0.0.1:\(port)/metrics")
                    return Self.good.allSatisfy { backend, server in
                        value("haws_probe_duration_seconds_count", backend, server, [("phase", "total")]) >= 2
                    } && value("haws_probes_total", "ws_bad", "b2", [("result", "bad_accept")]) >= 2
                }
                #expect(probed, "probe series: \(metrics.keys.filter { $0.hasPrefix("haws_probe") }.sorted())")
                for (backend, server) in Self.good {
                    for phase in ["connect", "upgrade", "ping", "close", "total"] {
                        let count = value("haws_probe_duration_seconds_count", backend, server, [("phase", phase)])
                        #expect(count >= 2, "\(backend)/\(server) \(phase)")
                        // Loopback probes finish well under 10 s: the 10 s bucket holds every one of them.
                        // (prometheus_client may normalise the bound's spelling: `10` or `10.0`.)
                        let bucket = ["10", "10.0"].map {
                            value("haws_probe_duration_seconds_bucket", backend, server, [("le", $0), ("phase", phase)])
                        }.max() ?? 0
                        #expect(bucket == count, "\(backend)/\(server) \(phase) le=10: \(bucket) of \(count)")
                    }
                    #expect(value("haws_probe_success", backend, server, []) == 1, "\(backend)/\(server)")
                    #expect(value("haws_probes_total", backend, server, [("result", "pass")]) >= 2)
                }
                #expect(value("haws_probe_success", "ws_bad", "b2", []) == 0)
                #expect(value("haws_probes_total", "ws_bad", "b2", [("result", "pass")]) == 0)
                // The wrong Accept arrives in a 101: the upgrade is timed, nothing after it, and no total.
                #expect(value("haws_probe_duration_seconds_count", "ws_bad", "b2", [("phase", "upgrade")]) >= 2)
                #expect(value("haws_probe_duration_seconds_count", "ws_bad", "b2", [("phase", "total")]) == 0)
                #expect((metrics["haws_probe_rounds_total{}"] ?? 0) >= 2)

                // NDJSON: one probe_failure event for b2 with its failure class, and probe lines for every server.
                let event = try await agent.waitForEvent("probe_failure")
                #expect(event["object"] as? String == "ws_bad/b2")
                #expect(event["after"] as? String == "bad_accept")
                #expect((event["detail"] as? String)?.contains("Sec-WebSocket-Accept") == true)
                #expect((event["summary"] as? String)?.hasPrefix("ws_bad/b2 probe failing as bad_accept") == true)
                let lines = try agent.objects().filter { $0["type"] as? String == "probe" }
                let b2 = lines.filter { $0["object"] as? String == "ws_bad/b2" }
                #expect(!b2.isEmpty && b2.allSatisfy { $0["result"] as? String == "fail" })
                #expect(b2.allSatisfy { $0["failure"] as? String == "bad_accept" && $0["http_status"] as? Int == 101 })
                for (backend, server) in Self.good {
                    let own = lines.filter { $0["object"] as? String == "\(backend)/\(server)" }
                    let passed = own.allSatisfy { $0["result"] as? String == "pass" }
                    #expect(!own.isEmpty && passed, "\(backend)/\(server)")
                }
                #expect(try agent.events().filter { $0["kind"] as? String == "probe_failure" }.count == 1)

                #expect(await agent.terminate(.terminate) == 0, "\(agent.stderr)")
                #expect(try await NDJSONSchema.problems(in: agent.ndjsonText()) == nil)
            } catch {
                await agent.kill()
                throw error
            }
            directory.remove()
        }
    }

    /// `--max-probe-series 3` against 4 servers: the probe series are summed per backend (and flagged), while the
    /// other server series and the NDJSON probe lines stay per server.
    @Test func agentSumsProbeSeriesPerBackendBeyondMaxProbeSeries() async throws {
        try await ProbeAgainstHAProxyTests.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let directory = try TemporaryDirectory()
            let agent = try await Self.probingAgent(socket: socket, directory: directory, "--max-probe-series", "3")
            do {
                let port = try #require(await agent.metricsPort, "no metrics address: \(agent.stderr)")
                var metrics: [String: Double] = [:]
                func backend(_ name: String, _ backend: String, _ extra: [(String, String)]) -> Double? {
                    let labels = ([("backend", backend), ("instance", socket)] + extra).sorted { $0.0 < $1.0 }
                        .map { #"\#($0.0)="\#($0.1)""# }.joined(separator: ",")
                    return metrics["\(name){\(labels)}"]
                }
                let probed = try await eventually(timeout: .seconds(20), interval: .milliseconds(200)) {
                    metrics = try await Prometheus.scrape("http://127.0.0.1:\(port)/metrics")
                    // ws_bad's pass too: within a round each result counts as it arrives, so b2's second failure
                    // may be scraped before b1's second pass (seen under ThreadSanitizer).
                    return (backend("haws_probes_total", "ws_bad", [("result", "bad_accept")]) ?? 0) >= 2
                        && (backend("haws_probes_total", "ws_bad", [("result", "pass")]) ?? 0) >= 2
                        && (backend("haws_probes_total", "ws_chat", [("result", "pass")]) ?? 0) >= 4
                }
                #expect(probed, "probe series: \(metrics.keys.filter { $0.hasPrefix("haws_probe") }.sorted())")
                let probeSeries = metrics.keys.filter { $0.hasPrefix("haws_probe") }
                #expect(probeSeries.allSatisfy { !$0.contains("server=") }, "\(probeSeries.sorted())")
                #expect(!probeSeries.contains { $0.hasPrefix("haws_probe_success") })
                // b1 passes and b2 fails: ws_bad's sum holds both.
                #expect((backend("haws_probes_total", "ws_bad", [("result", "pass")]) ?? 0) >= 2)
                #expect((backend("haws_probe_duration_seconds_count", "ws_chat", [("phase", "upgrade")]) ?? 0) >= 4)
                #expect(metrics["haws_agent_probe_series_truncated{}"] == 1)
                #expect(metrics["haws_agent_series_truncated{}"] == 0)
                #expect(metrics[Self.key("haws_server_up", "ws_bad", "b2", instance: socket)] == 1)
                // The NDJSON lines are not metrics: still one per server.
                let lines = try agent.objects().filter { $0["type"] as? String == "probe" }
                #expect(lines.contains { $0["object"] as? String == "ws_bad/b2" && $0["result"] as? String == "fail" })
                #expect(await agent.terminate(.terminate) == 0, "\(agent.stderr)")
            } catch {
                await agent.kill()
                throw error
            }
            directory.remove()
        }
    }

    /// At the defaults (no --full-snapshot-interval): one full snapshot, then `changes` lines carrying only the server
    /// whose state changed (s1 set to MAINT over the runtime API); `probe` lines only when a verdict changes (b2's
    /// failure once, not every round); a `probe_round` line per round with the budget and the period; every line
    /// valid against the schema.
    @Test func agentWritesChangesBetweenSnapshotsAndProbeLinesOnlyOnChange() async throws {
        try await ProbeAgainstHAProxyTests.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let directory = try TemporaryDirectory()
            let agent = try await AgentProcess.start(
                [
                    "agent", "--socket", socket, "--interval", "200ms", "--probe-interval", "300ms", "--output",
                    directory.ndjson, "--full-snapshot-interval", "5m",
                ], directory: directory)
            do {
                func lines(_ type: String) throws -> [[String: Any]] {
                    try agent.objects().filter { $0["type"] as? String == type }
                }
                let rounds = try await eventually(timeout: .seconds(20), interval: .milliseconds(100)) {
                    try lines("probe_round").count >= 6 && lines("changes").count >= 3
                }
                #expect(rounds, "\((try? agent.objects().suffix(3)) ?? [])")
                _ = try await lab.runtime("set server ws_chat/s1 state maint")
                let changed = try await eventually(timeout: .seconds(10), interval: .milliseconds(100)) {
                    try lines("changes").contains { line in
                        let backends = line["backends"] as? [[String: Any]] ?? []
                        let servers = backends.flatMap { $0["servers"] as? [[String: Any]] ?? [] }
                        return servers.contains { $0["name"] as? String == "s1" && $0["admin_state"] as? String == "maint" }
                    }
                }
                #expect(changed, "\((try? lines("changes").suffix(2)) ?? [])")
                #expect(await agent.terminate(.terminate) == 0, "\(agent.stderr)")

                let text = try agent.ndjsonText()
                #expect(try await NDJSONSchema.problems(in: text) == nil)
                let snapshots = try lines("snapshot")
                #expect(snapshots.count == 1, "one instance, well within 5 minutes: \(snapshots.count) snapshots")
                let changes = try lines("changes")
                #expect(changes.allSatisfy { $0["snapshot_time"] as? String == snapshots.first?["time"] as? String })
                // Every changes line lists only servers whose state changed since the line before: s1 (to MAINT),
                // and another server only when its state really moved (a first health check that lands after the
                // snapshot, as HAProxy spreads the first checks over `inter`), never a server for its counters.
                let stateFields = [
                    "status", "admin_state", "oper_state", "weight", "backup", "session_limit", "check_status",
                    "check_code", "last_check",
                ]
                func servers(_ line: [String: Any]) -> [(String, [String: Any])] {
                    (line["backends"] as? [[String: Any]] ?? []).flatMap { backend in
                        (backend["servers"] as? [[String: Any]] ?? []).map {
                            ("\(backend["name"] as? String ?? "")/\($0["name"] as? String ?? "")", $0)
                        }
                    }
                }
                func state(_ server: [String: Any]) -> [String] { stateFields.map { "\(server[$0] ?? "null")" } }
                var written = Dictionary(uniqueKeysWithValues: try servers(#require(snapshots.first)).map {
                    ($0.0, state($0.1))
                })
                var listed: Set<String> = []
                for (name, server) in changes.flatMap(servers) {
                    #expect(written[name] != state(server), "\(name) listed with an unchanged state \(state(server))")
                    written[name] = state(server)
                    listed.insert(name)
                }
                #expect(listed.contains("ws_chat/s1"), "\(listed)")
                // b2 fails every round with the same code: one probe line (within the refresh interval), not one a
                // round; s1 in MAINT becomes not probeable: a line for that change.
                let probes = try lines("probe")
                let b2 = probes.filter { $0["object"] as? String == "ws_bad/b2" }
                let roundLines = try lines("probe_round")
                #expect(b2.count == 1 && roundLines.count >= 6, "\(b2.count) b2 lines in \(roundLines.count) rounds")
                let budget = try #require(roundLines.last?["budget"] as? [String: Any])
                #expect(budget["limit_percent"] as? Double == 3)
                #expect(budget["targets"] as? Int == 4 || budget["targets"] as? Int == 3)
                // Every server within a whole number of 0.3 s rounds: one round when four probes fit the budget, up
                // to four on a debug build whose probes cost more (the budget then spreads them).
                let period = budget["period_seconds"] as? Double ?? 0
                #expect([0.3, 0.6, 0.9, 1.2].contains { abs($0 - period) < 0.001 }, "\(budget)")
                #expect((budget["cost_per_probe_ms"] as? Double ?? 0) > 0, "\(budget)")
                #expect((roundLines.last?["output_bytes_total"] as? Int ?? 0) > 0)
            } catch {
                await agent.kill()
                throw error
            }
            directory.remove()
        }
    }

    @Test func noProbeMeansNoProbeLinesAndNoProbeMetrics() async throws {
        try await ProbeAgainstHAProxyTests.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let directory = try TemporaryDirectory()
            let agent = try await AgentProcess.start(
                [
                    "agent", "--socket", socket, "--interval", "200ms", "--no-probe", "--output", directory.ndjson,
                    "--prometheus", "127.0.0.1:0",
                ], directory: directory)
            do {
                let port = try #require(await agent.metricsPort, "no metrics address: \(agent.stderr)")
                try await agent.waitForSnapshots(5)
                let metrics = try await Prometheus.scrape("http://127.0.0.1:\(port)/metrics")
                #expect(!metrics.keys.contains { $0.hasPrefix("haws_probe") })
                #expect(try agent.objects().allSatisfy { $0["type"] as? String != "probe" })
                #expect(agent.stderr.contains("probes off"), "\(agent.stderr)")
                #expect(await agent.terminate(.terminate) == 0)
            } catch {
                await agent.kill()
                throw error
            }
            directory.remove()
        }
    }

    @Test func topShowsAPassingAndAFailingVerdictAndTheFailureInTheEventLog() async throws {
        try await ProbeAgainstHAProxyTests.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let top = try TopInTmuxTests()
            let frontend = "fe_main=ws://127.0.0.1:\(lab.frontendPort)/chat"
            let pane = try await top.top(
                socket: socket, ["--probe-interval", "500ms", "--probe-frontend", frontend], columns: 200, rows: 40)
            do {
                // PROBE is a left-aligned column: the verdict follows the server's other cells on its line.
                let (shown, screen) = try await pane.waitFor(.seconds(20)) { screen in
                    guard let b1 = TopInTmuxTests.line(screen, server: "b1"),
                        let b2 = TopInTmuxTests.line(screen, server: "b2"),
                        let s1 = TopInTmuxTests.line(screen, server: "s1")
                    else { return false }
                    return b1.contains(" pass ") && s1.contains(" pass ") && b2.contains(" FAIL ")
                }
                #expect(shown, "\(screen)")
                let header = TopInTmuxTests.lines(screen).first { $0.hasPrefix("BACKEND/SERVER") } ?? ""
                #expect(header.contains("PROBE") && header.contains("HS p95"), "\(header)")
                // The title bar says what probing costs against its budget, and the period it buys.
                let title = TopInTmuxTests.lines(screen).first ?? ""
                #expect(title.contains("probes ") && title.contains("/3.0% cpu, every 0.5s"), "\(title)")
                // HS p95 has a value for a passing server once its window holds probes.
                let (timed, timedScreen) = try await pane.waitFor(.seconds(10)) { screen in
                    TopInTmuxTests.cell(screen, TopInTmuxTests.line(screen, server: "b1"), column: "HS p95")?
                        .hasSuffix("ms") == true
                }
                #expect(timed, "\(timedScreen)")

                try await pane.keys("e")
                let (logged, log) = try await pane.waitFor(.seconds(10)) { screen in
                    screen.contains("ws_bad/b2 probe failing as bad_accept")
                }
                #expect(logged, "\(log)")

                // The detail pane of b2: the verdict, why, and the window's figures.
                try await pane.keys("e")
                try await pane.type("/b2")
                try await pane.keys("Enter", "j", "Enter")
                let (detailed, detail) = try await pane.waitFor(.seconds(10)) { screen in
                    screen.contains("probe FAIL") && screen.contains("window success 0% of")
                        && screen.contains("why Sec-WebSocket-Accept is")
                }
                #expect(detailed, "\(detail)")

                // The frontends view: the probe through fe_main (named on the command line) passes, with its HS p95.
                try await pane.keys("Enter")  // closes the detail pane
                try await pane.type("/")
                try await pane.keys("C-u", "Enter", "4")  // no filter, the frontends view
                let (front, frontScreen) = try await pane.waitFor(.seconds(10)) { screen in
                    guard let row = TopInTmuxTests.lines(screen).first(where: { $0.hasPrefix("fe_main ") }) else {
                        return false
                    }
                    return row.contains(" pass ") && row.contains("ms ")
                }
                #expect(front, "\(frontScreen)")
                try await pane.keys("q")
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }
}
