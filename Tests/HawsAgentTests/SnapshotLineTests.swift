import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsAgent

@Suite struct SnapshotLineTests {
    func line(_ state: MonitorState, index: Int = 0) throws -> [String: Any] {
        let bytes = SnapshotLine.encode(
            state.instances[index], time: Date(timeIntervalSince1970: 1_700_000_000.5), pollDuration: 0.0042)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func snapshotCarriesInstanceBackendsServersAndTunnels() async throws {
        let script = ScriptedSource(
            [
                .stats(info: Fixture.info(), csv: Fixture.csv(scale: 1)),
                .stats(info: Fixture.info(uptime: 61), csv: Fixture.csv(scale: 2)),
            ],
            tunnels: Fixture.tunnels)
        let state = await Fixture.state([script.source("edge-1")], polls: 2)
        let object = try line(state)
        #expect(object["type"] as? String == "snapshot")
        #expect(object["time"] as? String == "2023-11-14T22:13:20.500Z")
        #expect(object["instance"] as? String == "edge-1")
        #expect(object["health"] as? String == "reachable")
        #expect(object["error"] is NSNull)
        #expect(object["pid"] as? Int == 100)
        #expect(object["version"] as? String == "2.6.12-1+deb12u1")
        #expect(object["uptime_seconds"] as? Int == 61)
        #expect(object["current_connections"] as? Int == 31)
        #expect(number(object["poll_duration_seconds"]) == 0.0042)
        #expect(object["tunnel_detail"] as? String == "per-server")
        #expect((object["tunnels_read_at"] as? String)?.hasSuffix("Z") == true)
        #expect(object["tunnels"] as? Int == 10)  // 5 + 2 current, 3 on an old worker
        #expect(object["old_worker_tunnels"] as? Int == 3)
        let backends = try #require(object["backends"] as? [[String: Any]])
        #expect(backends.map { $0["name"] as? String } == ["ws_chat", "ws_feed"])
        let chat = backends[0]
        #expect(chat["tunnels"] as? Int == 10)
        #expect(chat["servers_up"] as? Int == 2)  // s1 UP and s2 DRAIN are alive; s3 DOWN
        #expect(chat["servers_total"] as? Int == 3)
        #expect(chat["upgrades_total"] as? Int == 32)  // (12 + 4) x 2
        #expect((chat["tunnel_ages"] as? [String: Any])?["over_1d"] as? Int == 3)
        let servers = try #require(chat["servers"] as? [[String: Any]])
        let s1 = servers[0]
        #expect(s1["status"] as? String == "UP")
        #expect(s1["admin_state"] as? String == "ready")
        #expect(s1["oper_state"] as? String == "up")
        #expect(s1["tunnels"] as? Int == 8)
        #expect(s1["old_worker_tunnels"] as? Int == 3)
        #expect(s1["oldest_tunnel_seconds"] as? Int == 90_000)
        #expect(s1["check_status"] as? String == "L7OK")
        #expect(s1["last_check"] as? String == "Layer7 check passed, \"quoted\"")
        let rates = try #require(s1["rates"] as? [String: Any])
        #expect((number(rates["upgrades_per_second"]) ?? 0) > 0)
        #expect((number(rates["sessions_per_second"]) ?? 0) > 0)
        #expect(servers[1]["admin_state"] as? String == "drain")
        #expect(servers[2]["oper_state"] as? String == "down")
        #expect(servers[2]["tunnels"] as? Int == 0)
        #expect(backends[1]["status"] as? String == "DOWN")
        #expect((backends[1]["servers"] as? [[String: Any]])?.first?["admin_state"] as? String == "maint")
        let text = String(
            decoding: SnapshotLine.encode(state.instances[0], time: Date(), pollDuration: nil), as: UTF8.self)
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }

    /// The agent writes a line in parts (a full snapshot at 10,000 servers is megabytes): whatever the part size, the
    /// parts make the same bytes as the line built whole, only the last ends the line, and a part stops at the first
    /// server past its size.
    @Test func partsMakeTheSameLineAsTheWholeLine() async throws {
        let script = ScriptedSource(
            [
                .stats(info: Fixture.info(), csv: Fixture.csv(scale: 1)),
                .stats(info: Fixture.info(uptime: 61), csv: Fixture.csv(scale: 2)),
            ],
            tunnels: Fixture.tunnels)
        let live = await Fixture.state([script.source("edge-1")], polls: 2).instances[0]
        let time = Date(timeIntervalSince1970: 1_700_000_000)
        let changes = SnapshotChanges(snapshotTime: time, servers: [0: [2, 0], 1: []])
        for changes in [nil, changes] {
            let whole = SnapshotLine.encode(live, time: time, pollDuration: 0.01, changes: changes, outputBytes: 7)
            for partBytes in [1, 100, 700, 1 << 20] {
                var iterator = SnapshotLine.Parts(
                    live, time: time, pollDuration: 0.01, changes: changes, outputBytes: 7, partBytes: partBytes)
                var parts: [[UInt8]] = []
                while let part = iterator.next() { parts.append(part) }
                #expect(iterator.next() == nil)
                #expect(Array(parts.joined()) == whole, "part size \(partBytes)")
                #expect(parts.dropLast().allSatisfy { $0.last != UInt8(ascii: "\n") })
                #expect(parts.last?.last == UInt8(ascii: "\n"))
                // A part goes at most one server (and a backend's own fields) past its size; the first also holds
                // the instance's fields (under 1 KB each here).
                #expect(parts.first.map { $0.count < partBytes + 2_500 } == true, "\(parts.map(\.count))")
                #expect(parts.dropFirst().allSatisfy { $0.count < partBytes + 1_500 }, "\(parts.map(\.count))")
                if partBytes == 1 {
                    let servers = changes?.serverCount ?? 4
                    #expect(parts.count >= servers, "a part per server at 1 byte: \(parts.count)")
                }
                if partBytes == 1 << 20 { #expect(parts.count == 1) }
            }
        }
    }

    /// Without `show sess all`, per-server counts come from the counters where they are exact, and ages stay null.
    @Test func withoutOperatorSocketServerTunnelsAreNullNotZero() async throws {
        let script = ScriptedSource(
            [.stats(info: Fixture.info(), csv: Fixture.csv())], tunnels: .unavailable(.needsOperator))
        let state = await Fixture.state([script.source("edge-1")], polls: 1)
        let object = try line(state)
        #expect(object["tunnel_detail"] as? String == "per-server")  // ws_chat: 10 sessions, 10 open upgrades
        #expect(object["tunnels_read_at"] is NSNull)
        #expect((object["tunnel_detail_note"] as? String)?.contains("operator") == true)
        #expect(object["old_worker_tunnels"] is NSNull)
        let chat = try #require((object["backends"] as? [[String: Any]])?.first)
        #expect(chat["tunnels"] as? Int == 10)  // derived from hrsp_1xx: 12 + 4 - 6
        #expect(chat["tunnel_ages"] is NSNull)
        let s1 = try #require((chat["servers"] as? [[String: Any]])?.first)
        #expect(s1["tunnels"] as? Int == 7)  // its scur: every session of ws_chat is a tunnel
        #expect(s1["tunnels_exact"] as? Bool == true)
        #expect(s1["tunnel_ages"] is NSNull)  // ages need a dump
        // First poll: no rates yet.
        #expect((s1["rates"] as? [String: Any])?["sessions_per_second"] is NSNull)
        #expect(object["upgrades_per_second"] is NSNull)
    }

    @Test func ratesAfterAResetAreNullNeverNegative() async throws {
        let script = ScriptedSource([
            .stats(info: Fixture.info(pid: 100, uptime: 60), csv: Fixture.csv(scale: 5)),
            .stats(info: Fixture.info(pid: 200, uptime: 0), csv: Fixture.csv(scale: 1)),  // reloaded: counters down
        ])
        let state = await Fixture.state([script.source("edge-1")], polls: 2)
        let text = String(
            decoding: SnapshotLine.encode(state.instances[0], time: Date(), pollDuration: nil), as: UTF8.self)
        #expect(!text.contains(":-"), "no negative number: \(text)")
        let object = try line(state)
        let s1 = try #require(((object["backends"] as? [[String: Any]])?.first?["servers"] as? [[String: Any]])?.first)
        let rates = try #require(s1["rates"] as? [String: Any])
        #expect(rates.values.allSatisfy { $0 is NSNull }, "\(rates)")
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }

    @Test func unreachableInstanceGivesErrorAndNoStaleFigures() async throws {
        let script = ScriptedSource([
            .stats(info: Fixture.info(), csv: Fixture.csv()),
            .failure("connect: Connection refused (/run/haproxy/admin.sock)"),
        ])
        let state = await Fixture.state([script.source("edge-1")], polls: 2)
        let object = try line(state)
        #expect(object["health"] as? String == "unreachable")
        #expect((object["error"] as? String)?.contains("refused") == true)
        #expect(object["pid"] is NSNull)
        #expect(object["tunnels"] is NSNull)
        #expect((object["backends"] as? [Any])?.isEmpty == true)
        let text = String(
            decoding: SnapshotLine.encode(state.instances[0], time: Date(), pollDuration: nil), as: UTF8.self)
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }

    @Test func eventLinesValidate() async throws {
        let time = Date(timeIntervalSince1970: 1_700_000_000)
        let events = [
            MonitorEvent(
                time: time, instance: "edge-1", object: "ws_chat/s3", kind: .serverState, before: "UP", after: "DOWN",
                detail: "L4CON"),
            MonitorEvent(
                time: time, instance: "edge-1", object: "edge-1", kind: .reload, detail: "pid changed from 1 to 2"),
            MonitorEvent(
                time: time, instance: "edge \"2\"\n", object: "edge-2", kind: .instanceUnreachable, detail: "refused"),
        ]
        let text = events.map { String(decoding: EventLine.encode($0), as: UTF8.self) }.joined()
        let objects = try parseLines(text)
        #expect(objects.count == 3)
        #expect(objects[0]["kind"] as? String == "server_state")
        #expect(objects[0]["summary"] as? String == "ws_chat/s3 UP -> DOWN (L4CON)")
        #expect(objects[1]["before"] is NSNull)
        #expect(objects[2]["instance"] as? String == "edge \"2\"\n")
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }
}
