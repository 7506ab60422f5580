import Foundation
import HawsCore
import Testing

@testable import HawsProbe

/// ``ProbeBoard/news(since:)``: what a consumer that logs or counts results takes from each board, once.
@Suite struct ProbeBoardNewsTests {
    static let target = ProbeTarget(host: "10.0.0.1", port: 80)

    static func key(_ server: String) -> ProbeKey {
        .server(ServerKey(backend: "be", server: server), instance: "edge")
    }

    static func result(at second: Double, _ failure: ProbeFailure? = nil) -> ProbeResult {
        ProbeResult(
            target: target, mode: .full, failure: failure, timings: ProbeTimings(),
            startedAt: Date(timeIntervalSince1970: second), finishedAt: Date(timeIntervalSince1970: second))
    }

    static func board(_ entries: [ProbeBoard.Entry]) -> ProbeBoard {
        ProbeBoard(entries: Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0) }))
    }

    @Test func newResultsAndNewReasonsOnlyInKeyOrder() {
        let first = Self.board([
            ProbeBoard.Entry(key: Self.key("s2"), target: Self.target, lastResult: Self.result(at: 1)),
            ProbeBoard.Entry(key: Self.key("s1"), target: Self.target, lastResult: Self.result(at: 1)),
            ProbeBoard.Entry(key: Self.key("s3"), notProbeable: "port 0"),
            ProbeBoard.Entry(key: Self.key("s4"), target: Self.target),  // planned, not probed yet
        ])
        #expect(first.news(since: nil).map(\.key.object) == ["be/s1", "be/s2", "be/s3"])
        #expect(first.news(since: first).isEmpty)

        let second = Self.board([
            ProbeBoard.Entry(key: Self.key("s1"), target: Self.target, lastResult: Self.result(at: 2)),
            // s2's probe was cancelled this round: its old result is no news.
            ProbeBoard.Entry(key: Self.key("s2"), target: Self.target, lastResult: Self.result(at: 1)),
            ProbeBoard.Entry(key: Self.key("s3"), notProbeable: "in MAINT"),
            ProbeBoard.Entry(key: Self.key("s4"), target: Self.target, lastResult: Self.result(at: 2, .cancelled)),
        ])
        #expect(second.news(since: first).map(\.key.object) == ["be/s1", "be/s3", "be/s4"])
    }

    @Test func aSchedulerOverReadingsProbesWhatTheLatestReadingLists() async throws {
        let csv = """
            # pxname,svname,status,addr,type,
            be,s1,UP,10.0.0.1:80,2,
            be,s2,MAINT,10.0.0.2:80,2,
            be,BACKEND,UP,,1,

            """
        let snapshot = InstanceSnapshot(instance: "edge", stats: try StatsCSVParser.parse(csv))
        let scheduler = ProbeScheduler(
            settings: ProbeSettings(jitter: .zero), frontendInstance: "edge", readings: { [.read(snapshot)] },
            probe: { target, options in
                ProbeResult(
                    target: target, mode: options.mode, failure: nil, timings: ProbeTimings(), startedAt: Date(),
                    finishedAt: Date())
            })
        let board = await scheduler.runRound()
        #expect(board[Self.key("s1")]?.lastResult?.passed == true)
        #expect(board[Self.key("s2")]?.notProbeable?.contains("MAINT") == true)
        #expect(ProbeTargetDiscovery.frontendInstance(among: ["edge"]) == "edge")
        #expect(ProbeTargetDiscovery.frontendInstance(among: ["a", "b"]) == "haproxy")
    }
}
