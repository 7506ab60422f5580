import Foundation
import Testing
@testable import HawsCore

@Suite struct StatusEvaluatorTests {
    func snapshot(csv: String, name: String = "lab") throws -> InstanceSnapshot {
        InstanceSnapshot(instance: name, info: nil, stats: try StatsCSVParser.parse(csv))
    }

    static let header = "# pxname,svname,type,status,scur,slim,hrsp_1xx,weight,check_status,last_chk,addr,\n"

    @Test func allUpIsOK() throws {
        let csv = Self.header + "be,s1,2,UP,1,,1,1,L7OK,,127.0.0.1:1,\nbe,s2,2,UP,0,,0,1,L7OK,,127.0.0.1:2,\nbe,BACKEND,1,UP,1,100,0,2,,,,\n"
        let report = StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: StatusPolicy())
        #expect(report.verdict == .ok)
        #expect(report.exitCode == 0)
        #expect(report.problems.isEmpty)
        #expect(report.backends[0].tunnels == 1)
        // Every session of the backend is a tunnel (1 of 1): each server's scur is its count, without show sess.
        #expect(report.backends[0].servers[0].tunnels == 1)
        #expect(report.backends[0].servers[0].tunnelsExact == true)
        #expect(report.summary.hasPrefix("HAWS OK - 1 backends, 2/2 servers up, 1 tunnels"))
    }

    @Test func downServerIsWarningAndAllDownIsCritical() throws {
        let oneDown = Self.header + "be,s1,2,DOWN,0,,0,1,L4CON,Connection refused,,\nbe,s2,2,UP,0,,0,1,L7OK,,,\nbe,BACKEND,1,UP,0,,0,1,,,,\n"
        let report = StatusEvaluator.evaluate([.read(try snapshot(csv: oneDown))], policy: StatusPolicy())
        #expect(report.verdict == .warning)
        #expect(report.problems == ["WARNING be/s1: DOWN (L4CON, Connection refused)"])

        let allDown = Self.header + "be,s1,2,DOWN,0,,0,1,L4CON,,,\nbe,s2,2,DOWN 1/2,0,,0,1,L7TOUT,,,\nbe,BACKEND,1,DOWN,0,,0,0,,,,\n"
        let critical = StatusEvaluator.evaluate([.read(try snapshot(csv: allDown))], policy: StatusPolicy())
        #expect(critical.verdict == .critical)
        #expect(critical.exitCode == 2)
        #expect(critical.problems.first == "CRITICAL be: no server up (of 2)")
    }

    @Test func drainAndMaintAreListedButOK() throws {
        let csv = Self.header + "be,s1,2,DRAIN,0,,0,1,L7OK,,,\nbe,s2,2,MAINT,0,,0,1,,,,\nbe,s3,2,UP,0,,0,1,L7OK,,,\nbe,BACKEND,1,UP,0,,0,1,,,,\n"
        let report = StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: StatusPolicy())
        #expect(report.verdict == .ok)
        #expect(Set(report.problems) == ["OK be/s1: DRAIN", "OK be/s2: MAINT"])

        var strict = StatusPolicy()
        strict.serverDrain = .warning
        strict.serverMaint = .critical
        #expect(StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: strict).verdict == .critical)
    }

    @Test func downPolicyIsConfigurable() throws {
        let csv = Self.header + "be,s1,2,DOWN,0,,0,1,L4CON,,,\nbe,s2,2,UP,0,,0,1,L7OK,,,\nbe,BACKEND,1,UP,0,,0,1,,,,\n"
        var policy = StatusPolicy()
        policy.serverDown = .ok
        #expect(StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: policy).verdict == .ok)
        policy.serverDown = .critical
        #expect(StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: policy).verdict == .critical)
    }

    @Test func sessionThresholds() throws {
        let csv = Self.header + "be,s1,2,UP,85,100,0,1,L7OK,,,\nbe,BACKEND,1,UP,85,1000,0,1,,,,\n"
        let report = StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: StatusPolicy())
        #expect(report.verdict == .warning)
        #expect(report.problems == ["WARNING be/s1: at 85 of 100 sessions"])
        var policy = StatusPolicy()
        policy.sessionsCriticalPercent = 80
        #expect(StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: policy).verdict == .critical)
        policy.sessionsWarningPercent = nil
        policy.sessionsCriticalPercent = nil
        #expect(StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: policy).verdict == .ok)
    }

    /// A backend's `slim` is its `fullconn` (HAProxy scales dynamic server limits with it), not a limit: a backend
    /// far past it is healthy, while a frontend (`slim` = its maxconn) and a server (`slim` = its maxconn) near
    /// theirs are real findings.
    @Test func backendFullconnIsNotALimit() throws {
        let csv = Self.header
            + "fe,FRONTEND,0,OPEN,25,200,0,,,,,\nbe,s1,2,UP,25,,0,1,L7OK,,,\nbe,BACKEND,1,UP,10000,995,0,1,,,,\n"
        let report = StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: StatusPolicy())
        #expect(report.verdict == .ok, "\(report.problems)")
        #expect(report.problems.isEmpty)

        let nearFrontendLimit = Self.header + "fe,FRONTEND,0,OPEN,195,200,0,,,,,\nbe,BACKEND,1,UP,195,20,0,1,,,,\n"
        let frontend = StatusEvaluator.evaluate([.read(try snapshot(csv: nearFrontendLimit))], policy: StatusPolicy())
        #expect(frontend.problems == ["CRITICAL fe: frontend at 195 of 200 sessions"])
    }

    @Test func unreachableIsUnknownButCriticalElsewhereWins() throws {
        let dead = InstanceReading.unreachable(instance: "edge-2", error: "connection refused on /run/haproxy/admin.sock")
        let alone = StatusEvaluator.evaluate([dead], policy: StatusPolicy())
        #expect(alone.verdict == .unknown)
        #expect(alone.exitCode == 3)
        #expect(alone.summary.contains("connection refused"))

        let allDown = Self.header + "be,s1,2,DOWN,0,,0,1,L4CON,,,\nbe,BACKEND,1,DOWN,0,,0,0,,,,\n"
        let both = StatusEvaluator.evaluate([.read(try snapshot(csv: allDown, name: "edge-1")), dead], policy: StatusPolicy())
        #expect(both.verdict == .critical)
        #expect(both.problems.contains("UNKNOWN edge-2 edge-2: unreachable: connection refused on /run/haproxy/admin.sock"))
    }

    @Test func malformedRowsAreNotedNotDown() throws {
        let csv = Self.header + "be,s1,2,UP,0,,0,1,L7OK,,,\nbe,s2,2,WEIRD,0,,0,1,,,,\n,,,\nbe,BACKEND,1,UP,0,,0,1,,,,\n"
        let report = StatusEvaluator.evaluate([.read(try snapshot(csv: csv))], policy: StatusPolicy())
        #expect(report.verdict == .ok)
        #expect(report.problems.contains("OK be/s2: unrecognised status \"WEIRD\""))
    }

    @Test func exactTunnelsFromSessions() throws {
        let stats = try StatsCSVParser.parse(try Fixture.text("cli_show_stat.txt"))
        var snap = InstanceSnapshot(instance: "lab", info: InfoParser.parse(try Fixture.text("cli_show_info.txt")), stats: stats)
        snap.serverTunnels = [
            ServerKey(backend: "ws_chat", server: "s1"): TunnelTally(count: 9),
            ServerKey(backend: "ws_chat", server: "s2"): TunnelTally(count: 8),
            ServerKey(backend: "ws_chat", server: "s3"): TunnelTally(count: 8),
        ]
        snap.oldWorkerTunnels = [ServerKey(backend: "ws_chat", server: "s1"): TunnelTally(count: 2)]
        let report = StatusEvaluator.evaluate([.read(snap)], policy: StatusPolicy())
        let chat = try #require(report.backends.first { $0.name == "ws_chat" })
        #expect(chat.tunnels == 27)
        #expect(chat.servers.map(\.tunnels) == [11, 8, 8])
        #expect(report.instances[0].oldWorkerTunnels == 2)
        #expect(report.instances[0].tunnelDetail == "per-server")
        #expect(report.instances[0].pid == 13744)
        // ws_faulty has 4 servers DOWN out of 6: warnings, not critical.
        #expect(report.verdict == .warning)
    }

    @Test func jsonUsesStableSnakeCaseNames() throws {
        let stats = try StatsCSVParser.parse(try Fixture.text("cli_show_stat.txt"))
        let report = StatusEvaluator.evaluate([.read(InstanceSnapshot(instance: "lab", stats: stats))], policy: StatusPolicy())
        let object = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        let keys = Set(object?.keys.map { $0 } ?? [])
        #expect(keys.isSuperset(of: ["verdict", "problems", "instances", "frontends", "backends", "exit_code", "summary"]))
        #expect(object?["verdict"] as? String == "warning")
        let backends = object?["backends"] as? [[String: Any]]
        let server = (backends?.first?["servers"] as? [[String: Any]])?.first
        #expect(server?["admin_state"] as? String == "ready")
        #expect(server?["oper_state"] as? String == "up")
        #expect(server?["check_status"] as? String == "L7OK")
        #expect(server?["address"] as? String == "127.0.0.1:20010")
        let decoded = try StatusReport.decoder().decode(StatusReport.self, from: Data(report.json().utf8))
        #expect(decoded == report)
    }

    @Test func tableRendering() throws {
        let stats = try StatsCSVParser.parse(try Fixture.text("cli_show_stat.txt"))
        let info = InfoParser.parse(try Fixture.text("cli_show_info.txt"))
        let report = StatusEvaluator.evaluate([.read(InstanceSnapshot(instance: "lab", info: info, stats: stats))], policy: StatusPolicy())
        let plain = StatusTableRenderer(color: false).render(report)
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("lab  HAProxy 2.6.12-1+deb12u4  pid 13744  node vm  up 12s  conns 29/4000  tunnels 29"))
        #expect(plain.contains("ws_chat"))
        let s1 = try #require(plain.split(separator: "\n").first { $0.hasPrefix("  s1 ") })
        #expect(s1.split(separator: " ").map(String.init) == ["s1", "UP", "L7OK", "101", "1", "9", "9", "0", "0"])  // ws_chat: 25 sessions, 25 upgrades open
        #expect(StatusTableRenderer(color: true).render(report).contains("\u{1B}[32m"))
        #expect(StatusTableRenderer.duration(3725) == "1h02m")
    }
}
