import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsTUI

@Suite struct TableModelTests {
    func names(_ state: TopState) -> [String] {
        state.rows.map { row in
            switch row.id {
            case .backend(let id): id.name
            case .server(let id): id.key.description
            case .frontend(_, let name): name
            }
        }
    }

    @Test func configurationOrderByDefault() {
        #expect(
            names(Fixture.state()) == [
                "ws_chat", "ws_chat/s1", "ws_chat/s2", "ws_chat/s3", "ws_feed", "ws_feed/f1", "ws_feed/f2", "http_api",
                "http_api/a1",
            ])
    }

    @Test func sortCyclesColumnsAndFlipsDirection() {
        var state = Fixture.state()
        // s: NAME ascending first, then STATE, ... ; go to TUNNELS (descending by default).
        state = Fixture.press(state, [.character("s")]).0
        #expect(state.sort == SortSpec(column: .name, descending: false))
        #expect(
            names(state) == [
                "http_api", "http_api/a1", "ws_chat", "ws_chat/s1", "ws_chat/s2", "ws_chat/s3", "ws_feed", "ws_feed/f1",
                "ws_feed/f2",
            ])
        while state.sort.column != .tunnels { state = Fixture.press(state, [.character("s")]).0 }
        #expect(state.sort.descending)
        #expect(
            names(state) == [
                "ws_chat", "ws_chat/s2", "ws_chat/s1", "ws_chat/s3", "ws_feed", "ws_feed/f1", "ws_feed/f2", "http_api",
                "http_api/a1",
            ])
        #expect(Fixture.screen(state).lines[2].contains("TUNNEL↓"))
        state = Fixture.press(state, [.character("S")]).0
        #expect(
            names(state) == [
                "http_api", "http_api/a1", "ws_feed", "ws_feed/f2", "ws_feed/f1", "ws_chat", "ws_chat/s3", "ws_chat/s1",
                "ws_chat/s2",
            ])
        #expect(Fixture.screen(state).lines[2].contains("TUNNEL↑"))
        // The sort is remembered per view.
        state = Fixture.press(state, [.character("3"), .character("1")]).0
        #expect(state.sort == SortSpec(column: .tunnels, descending: false))
    }

    @Test func missingValuesSortLast() {
        var state = Fixture.state(size: TerminalSize(columns: 160, rows: 40))
        let id = ServerID(instance: "demo", backend: "ws_chat", server: "s3")
        let summary = ProbeSummary(verdict: "ok", passed: true, handshakeP95Milliseconds: 5)
        state = update(state, .probes(ProbeSummaries(servers: [id: summary]))).0
        state.sorts["servers"] = SortSpec(column: .handshakeP95, descending: false)
        state.rebuildRows()
        #expect(Array(names(state).prefix(4)) == ["ws_chat", "ws_chat/s3", "ws_chat/s1", "ws_chat/s2"])
    }

    @Test func filterNarrowsRowsLive() {
        var state = Fixture.state()
        state = Fixture.press(state, [.character("/")] + Fixture.type("s[12]$")).0
        #expect(names(state) == ["ws_chat", "ws_chat/s1", "ws_chat/s2"])
        let footer = Fixture.screen(state).lines.last!
        #expect(footer.hasPrefix("/s[12]$_"))
        state = Fixture.press(state, [.enter]).0
        #expect(state.filterInput == nil)
        #expect(Fixture.screen(state).lines[0].contains("filter: s[12]$"))
        // Matching is on backend/server, case-insensitive for a lower-case pattern.
        state.applyFilter("WS_FEED")
        #expect(names(state).isEmpty)
        #expect(Fixture.screen(state).text.contains("no backend or server matches the filter \"WS_FEED\""))
        state.applyFilter("ws_feed/")
        #expect(names(state) == ["ws_feed", "ws_feed/f1", "ws_feed/f2"])
    }

    @Test func bangInvertsTheFilter() {
        var state = Fixture.state()
        state = Fixture.press(state, [.character("/")] + Fixture.type("!^ws_") + [.enter]).0
        #expect(names(state) == ["http_api", "http_api/a1"])
        state = Fixture.press(state, [.character("/"), .control("u")] + Fixture.type("!s3") + [.enter]).0
        #expect(
            names(state) == [
                "ws_chat", "ws_chat/s1", "ws_chat/s2", "ws_feed", "ws_feed/f1", "ws_feed/f2", "http_api", "http_api/a1",
            ])
    }

    @Test func badRegexKeepsThePreviousFilterAndSaysWhy() {
        var state = Fixture.state()
        state = Fixture.press(state, [.character("/")] + Fixture.type("ws_c")).0
        #expect(names(state).count == 4)
        state = Fixture.press(state, Fixture.type("[(")).0
        #expect(state.filterError?.hasPrefix("bad regex \"ws_c[(\"") == true)
        #expect(names(state).count == 4)
        #expect(Fixture.screen(state).lines.last!.contains("bad regex"))
        #expect(Fixture.screen(state).style(of: "bad regex")?.role == .critical)
        state = Fixture.press(state, [.enter]).0
        #expect(state.message?.text.contains("kept \"ws_c\"") == true)
        // Esc while editing restores what was there before.
        state = Fixture.press(state, [.character("/")] + Fixture.type("zzz") + [.escape]).0
        #expect(state.filter?.text == "ws_c")
        #expect(names(state).count == 4)
    }

    @Test func frontendsHaveTheirOwnView() {
        var state = Fixture.press(Fixture.state(), [.character("4")]).0
        #expect(state.view.kind == .frontends)
        #expect(names(state) == ["fe_main"])
        let lines = Fixture.screen(state).lines
        #expect(lines[2].hasPrefix("FRONTEND"))
        #expect(lines[3].hasPrefix("fe_main") && lines[3].contains("OPEN") && lines[3].contains("4000"))
        state = Fixture.press(state, [.tab]).0
        #expect(state.view.name == "servers")
        state = Fixture.press(state, [.backTab]).0
        #expect(state.view.name == "frontends")
    }

    @Test func selectionFollowsTheServerAcrossSnapshotsAndSorts() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s2")
        state = Fixture.press(state, [.character("s")]).0
        #expect(state.selection == .server(ServerID(instance: "demo", backend: "ws_chat", server: "s2")))
        #expect(state.rows[state.cursor].id == state.selection)
        // A new snapshot without s1 keeps s2 selected.
        var backends = Fixture.demoBackends
        backends[0].1.removeFirst()
        let monitor = Fixture.monitor([
            Fixture.live(Fixture.snapshot(backends), polledAt: Fixture.start.addingTimeInterval(1))
        ])
        state = update(state, .monitor(monitor, at: Fixture.start.addingTimeInterval(1))).0
        #expect(state.rows[state.cursor].id == .server(ServerID(instance: "demo", backend: "ws_chat", server: "s2")))
    }

    @Test func pauseFreezesTheScreenButNotTheHeaderHealth() {
        var state = Fixture.press(Fixture.state(), [.character("p")]).0
        var backends = Fixture.demoBackends
        backends[0].1[0].tunnels = 99
        backends[0].1[0].sessions = 99  // a server holds no more tunnels than sessions
        var live = Fixture.live(Fixture.snapshot(backends), polledAt: Fixture.start.addingTimeInterval(1))
        live.health = .unreachable(error: "gone")
        state = update(state, .monitor(Fixture.monitor([live]), at: Fixture.start.addingTimeInterval(1))).0
        let text = Fixture.screen(state).text
        #expect(text.contains("PAUSED"))
        #expect(!text.contains(" 99 "))
        #expect(text.contains("unreachable"))
        state = Fixture.press(state, [.character("p")]).0
        #expect(Fixture.screen(state).text.contains(" 99 "))
    }

    @Test func multipleInstancesAreGroupedAndNamed() {
        var state = Fixture.state()
        let other = Fixture.live(
            Fixture.snapshot(Fixture.demoBackends, instance: "edge-2"), name: "edge-2", polledAt: Fixture.start)
        let monitor = Fixture.monitor([state.live!.instances[0], other])
        state = update(state, .monitor(monitor, at: Fixture.start)).0
        let lines = Fixture.screen(state).lines
        #expect(lines[1].contains("demo") && lines[2].contains("edge-2"))
        #expect(lines.contains { $0.hasPrefix("▾ edge-2:ws_chat") })
        #expect(state.rows.count == 18)
    }
}

extension TableModelTests {
    /// A poll that changes only values keeps the rows of HAProxy's order; a new server rebuilds them.
    @Test func rowsFollowTheObjectsNotEveryPoll() {
        var state = Fixture.state()
        let before = state.rows
        var busier = Fixture.demoBackends
        busier[0].1[0].sessions = 40
        let same = Fixture.monitor([Fixture.live(Fixture.snapshot(busier), polledAt: Fixture.start)], generation: 2)
        #expect(TableModel.sameObjects(state.shown, same))
        state = update(state, .monitor(same, at: Fixture.start)).0
        #expect(state.rows == before)

        var grown = Fixture.demoBackends
        grown[1].1.append(Fixture.ServerRow("f3"))
        let added = Fixture.monitor([Fixture.live(Fixture.snapshot(grown), polledAt: Fixture.start)], generation: 3)
        #expect(!TableModel.sameObjects(state.shown, added))
        state = update(state, .monitor(added, at: Fixture.start)).0
        #expect(names(state).contains("ws_feed/f3"))
        #expect(state.rows.count == before.count + 1)
    }
}
