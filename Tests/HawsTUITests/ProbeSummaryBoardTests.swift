import Foundation
import HawsCore
import HawsProbe
import Testing

@testable import HawsTUI

/// The probe board as the dashboard shows it: verdicts, HS p95, the last probe's phases, the window's percentiles
/// and success ratio, and the reason a server is not probed.
@Suite struct ProbeSummaryBoardTests {
    static let origin = ContinuousClock.now
    static let target = ProbeTarget(host: "127.0.0.1", port: 9000, path: "/chat")
    static let s1 = ServerKey(backend: "ws_chat", server: "s1")
    static let s2 = ServerKey(backend: "ws_chat", server: "s2")
    static let s3 = ServerKey(backend: "ws_chat", server: "s3")

    static func result(
        _ failure: ProbeFailure? = nil, upgrade: Duration = .milliseconds(3), target: ProbeTarget = target
    ) -> ProbeResult {
        ProbeResult(
            target: target, mode: .full, failure: failure,
            timings: ProbeTimings(
                connect: .microseconds(400), upgrade: upgrade, ping: failure == nil ? .milliseconds(1) : nil,
                close: failure == nil ? .microseconds(500) : nil, total: .milliseconds(5)),
            httpStatus: 101, startedAt: Date(timeIntervalSince1970: 1_000),
            finishedAt: Date(timeIntervalSince1970: 1_001))
    }

    /// An entry after `results`, with statistics and health as the scheduler keeps them.
    static func entry(_ server: ServerKey, _ results: [ProbeResult]) -> ProbeBoard.Entry {
        entry(.server(server, instance: "demo"), results)
    }

    static func entry(_ key: ProbeKey, _ results: [ProbeResult]) -> ProbeBoard.Entry {
        let target = results.last?.target ?? target
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

    @Test func passingServerShowsPassTheUpgradeP95PhasesPercentilesAndRatio() throws {
        let results = (1...20).map { Self.result(upgrade: .milliseconds($0)) }
        let summary = try #require(ProbeSummary(Self.entry(Self.s1, results)))
        #expect(summary.verdict == "pass" && summary.passed && summary.probeable)
        // HS p95 is the upgrade phase's (request sent to 101 received) over the window: 19 ms of 1...20 ms.
        let p95 = try #require(summary.handshakeP95Milliseconds)
        #expect(abs(p95 - 19) < 0.5, "\(p95)")
        #expect(summary.phases.map(\.name) == ["connect", "upgrade", "ping", "close", "total"])
        #expect(summary.phases.first?.milliseconds == 0.4)
        #expect(summary.percentiles.map(\.name) == ["connect", "upgrade", "ping", "close", "total"])
        let upgrade = try #require(summary.percentiles.first { $0.name == "upgrade" })
        #expect(upgrade.p50 <= upgrade.p95 && upgrade.p95 <= upgrade.p99)
        #expect(summary.successRatio == 1 && summary.windowProbes == 20)
        #expect(summary.detail == nil)
        #expect(summary.url == "ws://127.0.0.1:9000/chat")
    }

    @Test func failingServerShowsFailWhyAndTheRatio() throws {
        let accept = ProbeFailure.badAccept(expected: "abc=", received: "xyz=")
        let entry = Self.entry(Self.s2, [Self.result(), Self.result(accept), Self.result(accept), Self.result(accept)])
        let summary = try #require(ProbeSummary(entry))
        #expect(summary.verdict == "FAIL" && !summary.passed && summary.probeable)
        #expect(summary.successRatio == 0.25 && summary.windowProbes == 4)
        #expect(summary.detail == accept.description)
        #expect(summary.phases.map(\.name) == ["connect", "upgrade", "total"])
    }

    @Test func notProbeableIsDimWithItsReasonAndNoResultIsNoSummary() throws {
        let reason = "port 0: HAProxy connects to whatever port the client connected to"
        let entry = ProbeBoard.Entry(key: .server(Self.s3, instance: "demo"), notProbeable: reason)
        let summary = try #require(ProbeSummary(entry))
        #expect(summary.verdict == "n/a" && !summary.probeable && summary.detail == reason)
        #expect(ProbeSummary(ProbeBoard.Entry(key: .server(Self.s1, instance: "demo"), target: Self.target)) == nil)
    }

    @Test func summariesAreKeyedByServerAndLeaveFrontendProbesToTheEventLog() {
        let frontend = ProbeKey.frontend("ws://127.0.0.1:80/chat", instance: "demo")
        let board = ProbeBoard(entries: [
            .server(Self.s1, instance: "demo"): Self.entry(Self.s1, [Self.result()]),
            frontend: ProbeBoard.Entry(key: frontend, target: Self.target, lastResult: Self.result()),
        ])
        let servers = ProbeSummaries(of: board, frontendNames: [:])
        #expect(servers.servers[ServerID(instance: "demo", key: Self.s1)]?.verdict == "pass")
        #expect(servers.servers[ServerID(instance: "demo", key: Self.s2)] == nil)
        #expect(servers.frontends.isEmpty, "an unnamed frontend URL belongs to no row")
    }

    @Test func aNamedFrontendProbeShowsOnItsRowAndInItsDetailPane() throws {
        let chat = ProbeKey.frontend("ws://127.0.0.1:80/chat", instance: "demo")
        let feed = ProbeKey.frontend("ws://127.0.0.1:80/feed", instance: "demo")
        let unnamed = ProbeKey.frontend("ws://127.0.0.1:81/", instance: "demo")
        let accept = ProbeFailure.badAccept(expected: "abc=", received: "xyz=")
        func target(_ key: ProbeKey) throws -> ProbeTarget { try ProbeTarget(url: key.frontendURL ?? "") }
        var board = ProbeBoard(entries: [
            chat: Self.entry(chat, [Self.result(upgrade: .milliseconds(3), target: try target(chat))]),
            unnamed: Self.entry(unnamed, [Self.result(accept, target: try target(unnamed))]),
        ])
        let names = ["ws://127.0.0.1:80/chat": "fe_main", "ws://127.0.0.1:80/feed": "fe_main"]
        var state = Fixture.state(size: TerminalSize(columns: 160, rows: 40))
        state = update(state, .probes(ProbeSummaries(of: board, frontendNames: names))).0
        state = Fixture.press(state, [.character("4")]).0
        var screen = Fixture.screen(state)
        #expect(screen.lines[2].contains("PROBE") && screen.lines[2].contains("HS p95"), "\(screen.lines[2])")
        var row = try #require(screen.lines.first { $0.hasPrefix("fe_main") })
        #expect(row.contains(" pass ") && row.contains("3.0ms"), "\(row)")

        // A second URL through the same frontend that fails: the row says FAIL, HS p95 the slower of the two.
        board.entries[feed] = Self.entry(
            feed, [Self.result(accept, upgrade: .milliseconds(7), target: try target(feed))])
        state = update(state, .probes(ProbeSummaries(of: board, frontendNames: names))).0
        screen = Fixture.screen(state)
        row = try #require(screen.lines.first { $0.hasPrefix("fe_main") })
        #expect(row.contains(" FAIL ") && row.contains("7.0ms"), "\(row)")

        // The detail pane: one block per URL, the failing one with why.
        state = Fixture.press(state, [.enter]).0
        let detail = Fixture.screen(state).text
        #expect(detail.contains("probe pass") && detail.contains("probe FAIL"), "\(detail)")
        #expect(detail.contains("url ws://127.0.0.1:80/chat") && detail.contains("url ws://127.0.0.1:80/feed"))
        #expect(detail.contains("Sec-WebSocket-Accept") || detail.contains("wrong"), "\(detail)")
        #expect(!detail.contains("ws://127.0.0.1:81/"), "an unnamed URL belongs to no row: \(detail)")
    }

    @Test func aFrontendWithoutANamedProbeSaysHowToGetOne() throws {
        var state = Fixture.state(size: TerminalSize(columns: 160, rows: 40), settings: TopSettings(
            user: "alice", auditLogPath: "/tmp/audit.log", probeInterval: .seconds(10)))
        state = Fixture.press(state, [.character("4")]).0
        let row = try #require(Fixture.screen(state).lines.first { $0.hasPrefix("fe_main") })
        #expect(!row.contains("pass") && !row.contains("FAIL"), "\(row)")
        state = Fixture.press(state, [.enter]).0
        let detail = Fixture.screen(state).text
        #expect(detail.contains("--probe-frontend fe_main=ws://... names one"), "\(detail)")
    }

    @Test func theColumnAndTheDetailPaneShowTheBoard() throws {
        var state = Fixture.state(size: TerminalSize(columns: 160, rows: 40))
        let accept = ProbeFailure.badAccept(expected: "abc=", received: "xyz=")
        let board = ProbeBoard(entries: [
            .server(Self.s1, instance: "demo"): Self.entry(Self.s1, [Self.result()]),
            .server(Self.s2, instance: "demo"): Self.entry(Self.s2, [Self.result(), Self.result(accept)]),
        ])
        state = update(state, .probes(ProbeSummaries(of: board, frontendNames: [:]))).0
        let screen = Fixture.screen(state)
        let s1 = try #require(screen.lines.first { $0.contains(" s1 ") })
        let s2 = try #require(screen.lines.first { $0.contains(" s2 ") })
        #expect(s1.contains("pass") && s1.contains("3.0ms"), "\(s1)")
        #expect(s2.contains("FAIL"), "\(s2)")
        state = Fixture.select(state, "ws_chat", "s2")
        state = Fixture.press(state, [.enter]).0
        let detail = Fixture.screen(state).text
        #expect(detail.contains("probe FAIL"), "\(detail)")
        #expect(detail.contains("window success 50% of 2 probes"), "\(detail)")
        #expect(detail.contains("p50/p95/p99 connect 0.4/0.4/0.4ms upgrade 3.0/3.0/3.0ms"), "\(detail)")
        #expect(detail.contains("p50/p95/p99 ping 1.0/1.0/1.0ms close 0.5/0.5/0.5ms"), "\(detail)")
        #expect(detail.contains("wrong") || detail.contains("Sec-WebSocket-Accept"), "\(detail)")
    }

    /// top keeps the board, not a summary per server: each is made from the server's entry when read, the same as
    /// one made from the entry directly; boards are equal when their entries are the same stored values, and a
    /// summary given by hand is kept as given.
    @Test func serverProbesReadTheBoardsEntriesWhenAsked() throws {
        let kept = Self.entry(Self.s1, [Self.result()])
        let failing = Self.entry(Self.s2, [Self.result(), Self.result(.connectRefused(address: "x"))])
        let before = ProbeBoard(entries: [
            kept.key: kept,
            .server(Self.s2, instance: "demo"): Self.entry(Self.s2, [Self.result()]),
        ])
        let after = ProbeBoard(entries: [kept.key: kept, failing.key: failing])
        let s1 = ServerID(instance: "demo", key: Self.s1)
        let s2 = ServerID(instance: "demo", key: Self.s2)
        let servers = ServerProbes(board: after)
        #expect(servers[s1] == ProbeSummary(kept) && servers[s2] == ProbeSummary(failing))
        #expect(servers[s2]?.passed == false && servers[s2]?.windowProbes == 2)
        let p95 = try #require(servers[s1]?.handshakeP95Milliseconds)
        #expect(abs(p95 - 3) < 0.01, "the upgrade's p95 from the entry's window: \(p95)")
        #expect(servers[ServerID(instance: "other", key: Self.s1)] == nil)
        #expect(ServerProbes(board: after) == servers)
        #expect(ServerProbes(board: before) != servers, "s2's entry changed")
        var edited = ProbeSummary(kept)!
        edited.verdict = "given"
        let given: ServerProbes = [s1: edited]
        #expect(given[s1]?.verdict == "given" && given[s2] == nil && given != servers)
    }

    /// Top keeps a summary for every server: one made from a board entry holds the entry (shared with the
    /// scheduler's board), not its own arrays of phases and percentiles, and reads them when the pane asks; a
    /// change to a detail field makes it a summary of its own that the entry no longer affects.
    @Test func aSummaryOfAnEntryHoldsTheEntryNotCopiesOfItsFigures() throws {
        let entry = Self.entry(Self.s1, [Self.result(), Self.result(.connectRefused(address: "x"))])
        var summary = try #require(ProbeSummary(entry))
        #expect(MemoryLayout<ProbeSummary>.size <= 48, "\(MemoryLayout<ProbeSummary>.size) bytes inline")
        #expect(summary.url == entry.lastResult?.target.url && summary.windowProbes == 2)
        #expect(summary.phases.map(\.name).last == "total" && !summary.percentiles.isEmpty)
        let phases = summary.phases
        summary.detail = "edited"
        #expect(summary.detail == "edited" && summary.phases.map(\.milliseconds) == phases.map(\.milliseconds))
        #expect(summary != ProbeSummary(entry))
    }
}
