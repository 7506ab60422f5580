import Foundation
import Testing

@testable import HawsCore

/// `haws status --probe`: probe verdicts in findings, the report, its JSON and the table.
@Suite struct StatusProbeEvaluationTests {
    static let header = "# pxname,svname,type,status,scur,slim,hrsp_1xx,weight,check_status,last_chk,addr,\n"
    static let csv = header + """
        ws_chat,s1,2,UP,0,,0,1,L7OK,,127.0.0.1:8001,
        ws_chat,s2,2,UP,0,,0,1,L7OK,,127.0.0.1:8002,
        ws_chat,s3,2,DOWN,0,,0,1,L4CON,Connection refused,127.0.0.1:8003,
        ws_chat,BACKEND,1,UP,0,,0,2,,,,
        ws_feed,f1,2,UP,0,,0,1,L7OK,,127.0.0.1:0,
        ws_feed,BACKEND,1,UP,0,,0,1,,,,

        """

    func readings() throws -> [InstanceReading] {
        [.read(InstanceSnapshot(instance: "edge-1", stats: try StatsCSVParser.parse(Self.csv)))]
    }

    static func key(_ backend: String, _ server: String) -> ServerKey {
        ServerKey(backend: backend, server: server)
    }

    static let passed = StatusReport.ProbeEntry(
        verdict: .passed, url: "ws://127.0.0.1:8001/chat", mode: "full", httpStatus: 101,
        timingsMs: .init(connect: 0.21, upgrade: 0.9, ping: 0.3, close: 0.2, total: 1.84))
    static let badAccept = StatusReport.ProbeEntry(
        verdict: .failed, url: "ws://127.0.0.1:8002/chat", mode: "full", failureCode: "bad_accept",
        failurePhase: "upgrade", headline: "wrong Sec-WebSocket-Accept",
        message: "Sec-WebSocket-Accept is 'x', expected 'y': the backend computes the RFC 6455 accept wrongly",
        httpStatus: 101, timingsMs: .init(connect: 0.2, upgrade: 0.8, total: 1.1))
    static let refused = StatusReport.ProbeEntry(
        verdict: .failed, url: "ws://127.0.0.1:8003/chat", mode: "full", failureCode: "connect_refused",
        failurePhase: "connect", headline: "connection refused", message: "TCP connect to 127.0.0.1:8003 refused",
        timingsMs: .init(total: 0.3))

    func probes(s1: StatusReport.ProbeEntry = passed, s2: StatusReport.ProbeEntry = badAccept) -> StatusProbeResults {
        StatusProbeResults(
            servers: [
                "edge-1": [
                    Self.key("ws_chat", "s1"): s1,
                    Self.key("ws_chat", "s2"): s2,
                    Self.key("ws_chat", "s3"): Self.refused,
                    Self.key("ws_feed", "f1"): .notProbeable("port 0: HAProxy connects to whatever port ..."),
                ]
            ],
            durationMs: 12.5)
    }

    @Test func failingProbeOnAnUpServerIsAWarningNamingTheFault() throws {
        let report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: probes())
        #expect(report.verdict == .warning)
        #expect(report.problems.contains("WARNING ws_chat/s2: HAProxy says UP, handshake fails: wrong Sec-WebSocket-Accept"))
        // s3 is DOWN already: its failing probe is context, not a second problem.
        #expect(report.problems.contains("OK ws_chat/s3: probe fails too: connection refused"))
        #expect(report.problems.contains("OK ws_feed/f1: not probed: port 0: HAProxy connects to whatever port ..."))
        #expect(report.summary.contains("probes 1/3 passed"))
        let chat = try #require(report.backends.first { $0.name == "ws_chat" })
        #expect(chat.servers.map(\.probe?.verdict) == [.passed, .failed, .failed])
        #expect(report.probes?.probed == 3)
        #expect(report.probes?.passed == 1)
        #expect(report.probes?.failed == 2)
        #expect(report.probes?.notProbeable == 1)
        #expect(report.probes?.durationMs == 12.5)
    }

    @Test func noServerOfABackendPassingIsCritical() throws {
        let report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: probes(s1: Self.badAccept))
        #expect(report.verdict == .critical)
        #expect(report.problems.first == "CRITICAL ws_chat: no server passes the WebSocket probe (3 of 3 failing)")
    }

    @Test func probeFailureSeverityIsConfigurable() throws {
        var policy = StatusPolicy()
        policy.probeFailure = .ok
        policy.backendNoProbePassing = .ok
        #expect(StatusEvaluator.evaluate(try readings(), policy: policy, probes: probes(s1: Self.badAccept)).verdict == .warning)
        // (warning above: s3 DOWN is still a DOWN server)
        var strict = StatusPolicy()
        strict.probeFailure = .critical
        #expect(StatusEvaluator.evaluate(try readings(), policy: strict, probes: probes()).verdict == .critical)
    }

    @Test func failureAfterTheHandshakeIsWordedAsSuch() throws {
        let noPong = StatusReport.ProbeEntry(
            verdict: .failed, url: "ws://127.0.0.1:8002/chat", failureCode: "ping_timeout", failurePhase: "ping",
            headline: "no pong", timingsMs: .init(total: 2000))
        let report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: probes(s2: noPong))
        #expect(report.problems.contains("WARNING ws_chat/s2: HAProxy says UP, WebSocket fails after the handshake: no pong"))
    }

    @Test func frontendFailureIsPlacedInHAProxyOrTheApplication() throws {
        let failing = StatusReport.ProbeEntry(
            verdict: .failed, url: "ws://127.0.0.1:80/chat", failureCode: "status", failurePhase: "upgrade",
            headline: "HTTP 503 instead of 101", timingsMs: .init(total: 1))
        let frontend = StatusReport.FrontendProbeEntry(instance: "edge-1", url: "ws://127.0.0.1:80/chat", probe: failing)
        let allPass = StatusProbeResults(
            servers: ["edge-1": [Self.key("ws_chat", "s1"): Self.passed, Self.key("ws_chat", "s2"): Self.passed]],
            frontends: [frontend])
        var report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: allPass)
        #expect(
            report.problems.contains(
                "WARNING frontend ws://127.0.0.1:80/chat: probe through HAProxy fails: HTTP 503 instead of 101; every "
                    + "server probed directly (2) passes: look at HAProxy (routing, ACLs, timeouts, limits), not the "
                    + "application"))
        #expect(report.probes?.frontends == [frontend])
        #expect(report.summary.contains("probes 2/3 passed"))

        var some = probes()
        some.frontends = [frontend]
        report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: some)
        #expect(report.problems.contains { $0.hasSuffix("2 of 3 servers fail directly too: look at the application") })
    }

    @Test func unreachableHAProxyStaysInTheSummaryNextToAFailingFrontendProbe() {
        let refused = StatusReport.ProbeEntry(
            verdict: .failed, url: "ws://127.0.0.1:80/chat", failureCode: "connect_refused", failurePhase: "connect",
            headline: "connection refused", timingsMs: .init(total: 0.2))
        let probes = StatusProbeResults(
            frontends: [.init(instance: "edge-1", url: "ws://127.0.0.1:80/chat", probe: refused)])
        let report = StatusEvaluator.evaluate(
            [.unreachable(instance: "edge-1", error: "connection refused")], policy: StatusPolicy(), probes: probes)
        #expect(report.verdict == .warning)
        #expect(
            report.summary
                == "HAWS WARNING - unreachable: connection refused, probes 0/1 passed, WARNING frontend "
                + "ws://127.0.0.1:80/chat: probe through HAProxy fails: connection refused; no server was probed "
                + "directly to compare")
    }

    @Test func withoutProbesNothingChanges() throws {
        let report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy())
        #expect(report.probes == nil)
        #expect(report.backends.flatMap(\.servers).allSatisfy { $0.probe == nil })
        #expect(!report.summary.contains("probes"))
        let table = StatusTableRenderer(color: false).render(report)
        #expect(!table.contains("PROBE"))
    }

    @Test func jsonHasExplicitNulls() throws {
        let without = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy())
        let plain = try JSONSerialization.jsonObject(with: Data(without.json().utf8)) as? [String: Any]
        #expect(plain?.keys.contains("probes") == true)
        #expect(plain?["probes"] is NSNull)
        let server = ((plain?["backends"] as? [[String: Any]])?.first?["servers"] as? [[String: Any]])?.first
        #expect(server?.keys.contains("probe") == true)
        #expect(server?["probe"] is NSNull)

        let with = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: probes())
        let json = with.json()
        #expect(json.contains("\"failure_code\":\"bad_accept\""))
        #expect(json.contains("\"timings_ms\":{"))
        #expect(json.contains("\"tls\":null"))
        #expect(json.contains("\"not_probeable\":1"))
        #expect(json.contains("\"verdict\":\"not_probeable\""))
        // Round trip: what scripts read back is what was written.
        let decoded = try StatusReport.decoder().decode(StatusReport.self, from: Data(json.utf8))
        #expect(decoded == with)
    }

    @Test func tableGainsAProbeColumnOnlyWithProbes() throws {
        var some = probes()
        some.frontends = [
            .init(instance: "edge-1", url: "ws://127.0.0.1:80/chat", probe: Self.passed)
        ]
        let report = StatusEvaluator.evaluate(try readings(), policy: StatusPolicy(), probes: some)
        let table = StatusTableRenderer(color: false, showProbes: true).render(report)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("BACKEND / SERVER") && $0.hasSuffix("ERRORS  PROBE") })
        #expect(lines.contains { $0.hasPrefix("  s1 ") && $0.hasSuffix("pass 1.84ms") })
        #expect(lines.contains { $0.hasPrefix("  s2 ") && $0.hasSuffix("FAIL bad_accept") })
        #expect(lines.contains { $0.hasPrefix("  f1 ") && $0.hasSuffix("n/a") })
        #expect(lines.contains { $0.hasPrefix("ws_chat ") && $0.hasSuffix("1/3 pass") })
        #expect(lines.contains("PROBES THROUGH HAPROXY"))
        #expect(lines.contains("  ws://127.0.0.1:80/chat  pass 1.84ms"))
    }
}
