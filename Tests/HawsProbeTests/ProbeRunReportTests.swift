import Foundation
import HawsCore
import Testing

@testable import HawsProbe

/// `haws probe` output and the bridge to `haws status`, from synthetic results.
@Suite("ProbeRunReport and status entries")
struct ProbeRunReportTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func result(_ url: String, _ failure: ProbeFailure? = nil, upgradeMs: Int64 = 2) -> ProbeResult {
        let target = try! ProbeTarget(url: url)
        return ProbeResult(
            target: target,
            mode: .full,
            failure: failure,
            timings: ProbeTimings(
                connect: .microseconds(300),
                upgrade: .milliseconds(upgradeMs),
                ping: failure == nil ? .microseconds(400) : nil,
                close: failure == nil ? .microseconds(200) : nil,
                total: .milliseconds(upgradeMs + 1)
            ),
            httpStatus: 101,
            remoteAddress: "\(target.host):\(target.port)",
            startedAt: Self.t0,
            finishedAt: Self.t0
        )
    }

    static let badAccept = ProbeFailure.badAccept(expected: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", received: "nope")

    @Test("single probes: one row per URL in argument order, failures explained, exit 2")
    func single() {
        let report = ProbeRunReport(
            results: [Self.result("ws://10.0.0.2:80/chat", Self.badAccept), Self.result("ws://10.0.0.1:80/chat")],
            urls: ["ws://10.0.0.1:80/chat", "ws://10.0.0.2:80/chat"],
            mode: .full,
            count: 1,
            concurrency: 2,
            wall: .milliseconds(10)
        )
        #expect(report.targets.map(\.url) == ["ws://10.0.0.1:80/chat", "ws://10.0.0.2:80/chat"])
        #expect(!report.passed)
        #expect(report.exitCode == 2)
        #expect(report.handshakesPerSecond == 200)
        let lines = report.table().split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("URL"))
        #expect(lines[0].contains("CONNECT  UPGRADE     PING    CLOSE    TOTAL  (ms)"))
        #expect(lines[1].hasPrefix("ws://10.0.0.1:80/chat") && lines[1].contains("pass") && lines[1].hasSuffix("3.00"))
        #expect(lines[2].contains("FAIL") && lines[2].contains("101"))
        #expect(lines[3].hasPrefix("  bad_accept: Sec-WebSocket-Accept is 'nope', expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='"))
        #expect(lines.last == "HAWS PROBE FAILED - 1 of 2 probes failed (bad_accept 1)")
    }

    @Test("--count: percentiles per phase, failures by code, the first failure in full, handshakes/s")
    func profile() throws {
        var results = (1...99).map { Self.result("ws://10.0.0.1:80/chat", upgradeMs: Int64($0)) }
        results.append(Self.result("ws://10.0.0.1:80/chat", .connectRefused(address: "10.0.0.1:80")))
        let report = ProbeRunReport(
            results: results,
            urls: ["ws://10.0.0.1:80/chat"],
            mode: .connectOnly,
            count: 100,
            concurrency: 8,
            wall: .milliseconds(500)
        )
        let target = try #require(report.targets.first)
        #expect(target.probes == 100)
        #expect(target.passed == 99)
        #expect(target.failures == ["connect_refused": 1])
        #expect(target.result.failure?.code == "connect_refused")
        let upgrade = try #require(target.latency["upgrade"])
        #expect(abs(upgrade.p50.milliseconds - 50) < 1)
        #expect(target.latency["total"]?.count == 99)  // totals of passed probes only
        #expect(report.handshakesPerSecond == 200)
        let table = report.table()
        #expect(table.contains("ws://10.0.0.1:80/chat  100 probes: 99 passed, 1 failed"))
        #expect(table.contains("  PHASE         p50      p95      p99      max  (ms)"))
        #expect(table.contains("  failures: connect_refused 1"))
        #expect(table.contains("100 probes (connect-only), 8 in flight, 0.50 s: 200 handshakes/s"))
    }

    @Test("JSON: one document, snake_case keys, explicit nulls, RFC 3339 times")
    func json() throws {
        let report = ProbeRunReport(
            results: [Self.result("ws://10.0.0.1:80/chat")],
            urls: ["ws://10.0.0.1:80/chat"],
            mode: .full,
            count: 1,
            concurrency: 1,
            wall: .milliseconds(4)
        )
        let text = report.json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "haws.probe/1")
        #expect(object["exit_code"] as? Int == 0)
        #expect(object["passed"] as? Bool == true)
        #expect(object["handshakes_per_second"] as? Double == 250)
        let target = try #require((object["targets"] as? [[String: Any]])?.first)
        let result = try #require(target["result"] as? [String: Any])
        #expect(result["failure"] is NSNull)
        #expect(result["http_status"] as? Int == 101)
        #expect((result["timings"] as? [String: Any])?["tls_ms"] is NSNull)
        #expect((result["started_at"] as? String)?.hasSuffix("Z") == true)
        #expect((target["latency"] as? [String: Any])?["upgrade"] != nil)
    }

    @Test("status entries: verdict, code, headline and timings from a result; reasons from the board")
    func statusEntries() throws {
        let failed = StatusReport.ProbeEntry(Self.result("ws://10.0.0.2:80/chat", Self.badAccept))
        #expect(failed.verdict == .failed)
        #expect(failed.failureCode == "bad_accept")
        #expect(failed.failurePhase == "upgrade")
        #expect(failed.headline == "wrong Sec-WebSocket-Accept")
        #expect(failed.message?.contains("expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='") == true)
        #expect(failed.timingsMs?.upgrade == 2)
        #expect(failed.timingsMs?.tls == nil)
        #expect(failed.mode == "full")

        let server = ServerKey(backend: "ws", server: "m1")
        let board = ProbeBoard(
            entries: [
                .server(server, instance: "edge"): ProbeBoard.Entry(
                    key: .server(server, instance: "edge"),
                    lastResult: Self.result("ws://10.0.0.1:80/chat")
                ),
                .server(ServerKey(backend: "ws", server: "m2"), instance: "edge"): ProbeBoard.Entry(
                    key: .server(ServerKey(backend: "ws", server: "m2"), instance: "edge"),
                    notProbeable: "port 0"
                ),
                .frontend("ws://127.0.0.1/chat", instance: "edge"): ProbeBoard.Entry(
                    key: .frontend("ws://127.0.0.1/chat", instance: "edge"),
                    lastResult: Self.result("ws://127.0.0.1:80/chat", .status(code: 503, reason: "Service Unavailable"))
                ),
            ],
            lastRound: ProbeBoard.Round(
                number: 1, startedAt: Self.t0, duration: .milliseconds(12), probes: 2, passed: 1, failed: 1,
                notProbeable: 1
            )
        )
        let results = StatusProbeResults(board: board)
        #expect(results.probe(instance: "edge", server: server)?.verdict == .passed)
        #expect(results.probe(instance: "edge", server: ServerKey(backend: "ws", server: "m2")) == .notProbeable("port 0"))
        #expect(results.frontends.map(\.url) == ["ws://127.0.0.1/chat"])
        #expect(results.frontends.first?.probe.headline == "HTTP 503 instead of 101")
        #expect(results.durationMs == 12)
    }

    @Test("every failure has a short headline, and handshake failures are told from tunnel failures")
    func headlines() {
        #expect(Self.badAccept.headline == "wrong Sec-WebSocket-Accept")
        #expect(Self.badAccept.isHandshakeFailure)
        #expect(ProbeFailure.pingTimeout(after: .seconds(2)).isHandshakeFailure == false)
        #expect(ProbeFailure.timeout(phase: .upgrade, after: .seconds(5)).headline == "upgrade timeout")
        #expect(ProbeOptions.Mode(name: "connect-only") == .connectOnly)
        #expect(ProbeOptions.Mode(name: "connect_only") == .connectOnly)
        #expect(ProbeOptions.Mode(name: "deep") == nil)
        #expect(ProbeOptions.Mode.connectOnly.name == "connect-only")
    }
}
