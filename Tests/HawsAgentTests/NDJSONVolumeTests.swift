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
        let schedule = ProbeLineSchedule(refreshInterval: .seconds(300))
        let key = ProbeKey.server(ServerKey(backend: "be", server: "s1"), instance: "edge")
        let target = ProbeTarget(host: "127.0.0.1", port: 9000)
        func entry(_ failure: ProbeFailure?) -> ProbeBoard.Entry {
            let result = ProbeResult(
                target: target, mode: .full, failure: failure, timings: ProbeTimings(total: .milliseconds(1)),
                startedAt: Date(), finishedAt: Date())
            return ProbeBoard.Entry(key: key, target: target, mode: .full, lastResult: result)
        }
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        var previous: (entry: ProbeBoard.Entry, at: Date)?
        /// A result `seconds` after t0, as the agent feeds them: against the previous one.
        func written(_ failure: ProbeFailure?, _ seconds: Double) -> Bool {
            let next = (entry(failure), t0.addingTimeInterval(seconds))
            defer { previous = next }
            return schedule.shouldWrite(next.0, at: next.1, previous: previous)
        }
        #expect(written(nil, 0), "first seen")
        // The same verdict every 10 s for 15 minutes: one refresh per 5 minutes, wherever this key's fall.
        let refreshes = (1...90).filter { written(nil, Double($0) * 10) }.map { $0 * 10 }
        #expect(refreshes.count == 3, "\(refreshes)")
        #expect(zip(refreshes, refreshes.dropFirst()).allSatisfy { $1 - $0 == 300 }, "\(refreshes)")
        #expect(refreshes.first.map { $0 <= 300 } == true, "\(refreshes)")
        let refused = ProbeFailure.connectRefused(address: "127.0.0.1:9000")
        #expect(written(refused, 910), "pass -> fail")
        let sameFailure = written(refused, 920)
        #expect(!sameFailure || refreshes.contains(620), "the same failure, no refresh due")
        #expect(written(.connectTimeout(after: .seconds(5)), 930), "another failure")
        #expect(written(nil, 940), "fail -> pass")
        #expect(written(nil, 1_240), "a refresh within the interval, however the results fall")
        previous = nil
        #expect(written(nil, 1_241), "first seen again after it left the board")
        // Spread: the refresh times of many keys fall all over the interval, not in one round.
        let offsets = (0..<200).map { index -> Int in
            let key = ProbeKey.server(ServerKey(backend: "be", server: "s\(index)"), instance: "edge")
            let entry = ProbeBoard.Entry(key: key, target: target, mode: .full, lastResult: entry(nil).lastResult)
            return (1...30).first { step in
                schedule.shouldWrite(
                    entry, at: t0.addingTimeInterval(Double(step) * 10),
                    previous: (entry, t0.addingTimeInterval(Double(step - 1) * 10)))
            } ?? 0
        }
        #expect(Set(offsets).count >= 20, "refreshes of 200 keys fall in \(Set(offsets).count) of 30 steps")
    }
}
