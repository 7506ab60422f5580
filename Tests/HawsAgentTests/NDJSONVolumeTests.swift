import Foundation
import HawsCore
import HawsMonitor
import HawsProbe
import HawsTestSupport
import Testing

@testable import HawsAgent

/// What keeps the NDJSON file small at scale: full snapshots only now and then with `changes` lines between them, and
/// probe lines only when what they say changes.
@Suite struct NDJSONVolumeTests {
    @Test func changesLinesCarryOnlyServersWhoseStateChangedAndAFullSnapshotComesBackOnTime() async throws {
        let drainedBack = Fixture.csv(scale: 3).replacingOccurrences(of: ",DRAIN,", with: ",UP,")
        let script = ScriptedSource([
            .stats(info: Fixture.info(), csv: Fixture.csv(scale: 1)),
            .stats(info: Fixture.info(), csv: Fixture.csv(scale: 2, s1Sessions: 9)),  // figures only
            .stats(info: Fixture.info(), csv: drainedBack),  // s2: DRAIN -> UP
        ])
        let clock = ManualClock()
        let engine = MonitorEngine(sources: [script.source("edge-1")], clock: clock.source)
        var schedule = SnapshotSchedule(fullInterval: .seconds(300))
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var lines: [[UInt8]] = []
        var decisions: [SnapshotChanges?] = []
        for poll in 0..<3 {
            await engine.pollOnce()
            let live = try #require(await engine.state.instances.first)
            let time = start.addingTimeInterval(Double(poll))
            let changes = schedule.changes(for: live, at: time)
            decisions.append(changes)
            lines.append(SnapshotLine.encode(live, time: time, pollDuration: 0.01, changes: changes, outputBytes: 0))
            clock.advance(.milliseconds(20))
        }
        #expect(decisions[0] == nil, "the first poll is a full snapshot")
        #expect(decisions[1]?.servers == [:], "sessions and rates moved, no state did")
        #expect(decisions[2]?.servers == [0: [1]], "ws_chat's s2 came back UP")
        #expect(decisions[2]?.snapshotTime == start)

        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        #expect(objects.map { $0["type"] as? String } == ["snapshot", "changes", "changes"])
        #expect((objects[1]["backends"] as? [Any])?.isEmpty == true)
        #expect(objects[1]["tunnels"] != nil && objects[1]["current_connections"] as? Int == 31)
        let backends = try #require(objects[2]["backends"] as? [[String: Any]])
        #expect(backends.map { $0["name"] as? String } == ["ws_chat"])
        let servers = try #require(backends[0]["servers"] as? [[String: Any]])
        #expect(servers.map { $0["name"] as? String } == ["s2"])
        #expect(servers[0]["status"] as? String == "UP")
        // The changes line is a fraction of the snapshot even on this 4-server fixture.
        #expect(lines[1].count * 2 < lines[0].count, "\(lines[1].count) vs \(lines[0].count) bytes")
        let text = String(decoding: lines.joined(), as: UTF8.self)
        let problems = try await Python.schemaProblems(ndjson: text)
        #expect(problems == nil, "\(problems ?? "")")

        // Five minutes after the snapshot the next line is a full one again.
        let live = try #require(await engine.state.instances.first)
        let step1 = schedule.changes(for: live, at: start.addingTimeInterval(300))
        #expect(step1 == nil)
        // A zero interval is the old behaviour: a full snapshot every poll.
        var everyPoll = SnapshotSchedule(fullInterval: .zero)
        let step2 = everyPoll.changes(for: live, at: start)
        #expect(step2 == nil)
        let step3 = everyPoll.changes(for: live, at: start)
        #expect(step3 == nil)
    }

    @Test func probeLinesOnChangeAndOncePerRefreshInterval() {
        var schedule = ProbeLineSchedule(refreshInterval: .seconds(300))
        let key = ProbeKey.server(ServerKey(backend: "be", server: "s1"), instance: "edge")
        let target = ProbeTarget(host: "127.0.0.1", port: 9000)
        func entry(_ failure: ProbeFailure?) -> ProbeBoard.Entry {
            let result = ProbeResult(
                target: target, mode: .full, failure: failure, timings: ProbeTimings(total: .milliseconds(1)),
                startedAt: Date(), finishedAt: Date())
            return ProbeBoard.Entry(key: key, target: target, mode: .full, lastResult: result)
        }
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        let step4 = schedule.shouldWrite(entry(nil), at: t0)
        #expect(step4, "first seen")
        let step5 = schedule.shouldWrite(entry(nil), at: t0.addingTimeInterval(10))
        #expect(!step5, "same verdict")
        let step6 = schedule.shouldWrite(entry(nil), at: t0.addingTimeInterval(200))
        #expect(!step6, "before the refresh")
        let refused = ProbeFailure.connectRefused(address: "127.0.0.1:9000")
        let step7 = schedule.shouldWrite(entry(refused), at: t0.addingTimeInterval(210))
        #expect(step7, "pass -> fail")
        let step8 = schedule.shouldWrite(entry(refused), at: t0.addingTimeInterval(220))
        #expect(!step8)
        let step9 = schedule.shouldWrite(entry(.connectTimeout(after: .seconds(5))), at: t0.addingTimeInterval(230))
        #expect(step9)
        let step10 = schedule.shouldWrite(entry(nil), at: t0.addingTimeInterval(240))
        #expect(step10, "fail -> pass")
        let step11 = schedule.shouldWrite(entry(nil), at: t0.addingTimeInterval(540))
        #expect(step11, "refreshed within the interval")
        schedule.keep(only: ProbeBoard())
        let step12 = schedule.shouldWrite(entry(nil), at: t0.addingTimeInterval(541))
        #expect(step12, "forgotten with the board")
    }
}
