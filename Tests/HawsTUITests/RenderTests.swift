import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsTUI

@Suite struct RenderTests {
    static let small = TerminalSize(columns: 80, rows: 24)

    @Test func eightyByTwentyFourShowsHeaderTableAndHints() {
        let state = Fixture.state(size: Self.small)
        let screen = Fixture.screen(state)
        let lines = screen.lines
        #expect(lines.count == 24)
        #expect(lines[0].hasPrefix(" haws top  1:servers  2:tunnels  3:traffic  4:frontends"))
        #expect(lines[1].hasPrefix(" ● demo  reachable  poll 0s ago  conns 35/4000  tunnels 17  upg 1.5/s  node lab"))
        let wide = Fixture.screen(update(state, .resized(TerminalSize(columns: 140, rows: 30))).0).lines[1]
        #expect(wide.contains("node lab  v2.6.12  pid 4242  up 1h02m"))
        #expect(lines[2].hasPrefix("BACKEND/SERVER"))
        #expect(lines[2].contains("STATE") && lines[2].contains("TUNNELS"))
        #expect(lines[3].hasPrefix("▾ ws_chat"))
        #expect(lines[3].contains("UP 2/3"))
        #expect(lines[4].hasPrefix("  ├ s1"))
        #expect(lines[6].hasPrefix("  └ s3"))
        #expect(lines[6].contains("DOWN") && lines[6].contains("L4CON"))
        #expect(lines[23].contains("?:help"))
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 80 })
        // Tunnel counts per server and for the backend.
        #expect(lines[5].contains(" 11 "))
        #expect(lines[3].contains(" 15 "))
    }

    @Test func statesAreColouredByAdminAndOperationalState() {
        let screen = Fixture.screen(Fixture.state())
        #expect(screen.style(of: "DOWN")?.role == .critical)
        #expect(screen.style(of: "DRAIN")?.role == .drain)
        #expect(screen.style(of: "MAINT")?.role == .maint)
        #expect(screen.style(of: "L4CON")?.role == .critical)
        // ws_feed has no server up outside maintenance except a drained one: still UP, but f2 is MAINT.
        #expect(screen.style(of: "UP 2/3")?.role == .warning)
    }

    @Test func belowTheMinimumSaysSoAndKeepsRunning() {
        var state = Fixture.state(size: TerminalSize(columns: 60, rows: 15))
        let text = Fixture.screen(state).text
        #expect(text.contains("haws top needs at least 80x24"))
        #expect(text.contains("this terminal is 60x15"))
        // Keys still work while too small, and the table is back at a normal size.
        state = Fixture.press(state, [.down, .down]).0
        state = update(state, .resized(TerminalSize(columns: 80, rows: 24))).0
        let back = Fixture.screen(state).lines
        #expect(back[2].hasPrefix("BACKEND/SERVER"))
        #expect(back[3 + state.cursor].contains("s2"))
        for size in [
            TerminalSize(columns: 1, rows: 1), TerminalSize(columns: 0, rows: 0), TerminalSize(columns: 79, rows: 40),
        ] {
            _ = Fixture.screen(state, size)
        }
    }

    @Test func collapsedBackendsHideTheirServers() {
        var state = Fixture.state()
        state = Fixture.press(state, [.home, .character(" ")]).0
        let lines = Fixture.screen(state).lines
        #expect(lines[3].hasPrefix("▸ ws_chat (3)"))
        #expect(lines[4].hasPrefix("▾ ws_feed"))
        #expect(!Fixture.screen(state).text.contains("├ s1"))
        // Collapsing from a server row collapses its backend and selects it.
        state = Fixture.select(state, "ws_feed", "f2")
        state = Fixture.press(state, [.left]).0
        #expect(state.selection == .backend(BackendID(instance: "demo", name: "ws_feed")))
        state = Fixture.press(state, [.right, .character(" ")]).0
        #expect(state.rows.count == 4)
    }

    @Test func columnsThatDoNotFitAreHiddenAndCounted() {
        let state = Fixture.state(size: Self.small)
        let header = Fixture.screen(state).lines[2]
        #expect(header.contains("+5…"))
        #expect(!header.contains("QUEUE"))
        let wide = Fixture.screen(update(state, .resized(TerminalSize(columns: 160, rows: 30))).0).lines[2]
        #expect(wide.contains("QUEUE") && wide.contains("TUNNELS (5 min)"))
    }

    @Test func asciiFallbackUsesNoUnicode() {
        var settings = TopSettings()
        settings.glyphs = .ascii
        var state = Fixture.state(settings: settings)
        state = Fixture.press(state, [.enter, .character("e"), .character("?")]).0
        let text = Fixture.screen(state).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "\(text)")
        #expect(text.contains("|- s1") && text.contains("`- s3"))
    }

    @Test func probeColumnsShowDashUntilWiredThenTheValue() {
        var state = Fixture.state(size: TerminalSize(columns: 160, rows: 30))
        #expect(Fixture.screen(state).lines[4].contains(" -  "))
        let id = ServerID(instance: "demo", backend: "ws_chat", server: "s1")
        state =
            update(
                state,
                .probes(
                    ProbeSummaries(servers: [
                        id: ProbeSummary(
                            verdict: "ok", passed: true, handshakeP95Milliseconds: 12.4,
                            phases: [("connect", 0.4), ("upgrade", 3.1)])
                    ]))
            ).0
        let line = Fixture.screen(state).lines[4]
        #expect(line.contains("ok") && line.contains("12ms"))
        state = Fixture.select(state, "ws_chat", "s1")
        state = Fixture.press(state, [.enter]).0
        #expect(Fixture.screen(state).text.contains("handshake p95 12ms connect 0.4ms upgrade 3.1ms"))
    }

    @Test func detailPaneShowsEveryFieldTunnelAgesAndEvents() {
        var state = Fixture.state(size: TerminalSize(columns: 120, rows: 50))
        let event = MonitorEvent(
            time: Fixture.start, instance: "demo", object: "ws_chat/s2", kind: .serverState, before: "DOWN", after: "UP"
        )
        var live = state.live!
        live.events = [event]
        state = update(state, .monitor(live, at: Fixture.start)).0
        state = Fixture.select(state, "ws_chat", "s2")
        state = Fixture.press(state, [.enter]).0
        let text = Fixture.screen(state).text
        #expect(text.contains("ws_chat/s2 @ demo"))
        #expect(text.contains("tunnels 11 age >1m 1  >1h 0  >1d 0 oldest 1m30s"))
        #expect(text.contains("last: HTTP status check returned code <3C>200<3E>"))
        #expect(text.contains("ws_chat/s2 DOWN -> UP"))
        #expect(text.contains("all fields ("))
        #expect(text.contains("check_status") && text.contains("hrsp_1xx"))
        // Scrolling reaches the last CSV field.
        state = Fixture.press(state, Array(repeating: .character("]"), count: 10)).0
        #expect(Fixture.screen(state).text.contains("uweight"))
    }

    @Test func eventLogToggles() {
        var state = Fixture.state()
        var live = state.live!
        live.events = [
            MonitorEvent(
                time: Fixture.start, instance: "demo", object: "demo", kind: .instanceUnreachable, detail: "refused")
        ]
        state = update(state, .monitor(live, at: Fixture.start)).0
        #expect(!Fixture.screen(state).text.contains("Events ("))
        state = Fixture.press(state, [.character("e")]).0
        let screen = Fixture.screen(state)
        #expect(screen.text.contains("Events (1, newest first; e closes)"))
        #expect(screen.style(of: "demo unreachable (refused)")?.role == .critical)
    }

    @Test func unreachableInstanceKeepsTheLastDataAndSaysSo() {
        var state = Fixture.state()
        var live = state.live!
        live.instances[0].health = .unreachable(error: "connection refused on /run/haproxy/admin.sock")
        state = update(state, .monitor(live, at: Fixture.start.addingTimeInterval(12))).0
        let screen = Fixture.screen(state)
        #expect(screen.lines[1].contains("✖ demo"))
        #expect(
            screen.lines[1].contains("demo  unreachable  poll 12s ago  connection refused on /run/haproxy/admin.sock"))
        #expect(screen.style(of: "unreachable")?.role == .critical)
        #expect(screen.text.contains("├ s1"))
    }

    @Test func helpOverlayListsTheKeys() {
        let state = Fixture.press(Fixture.state(size: Self.small), [.character("?")]).0
        let text = Fixture.screen(state).text
        #expect(text.contains("haws top help"))
        #expect(
            text.contains("drain") && text.contains("filter: regex, ! inverts") && text.contains("shutdown sessions"))
        #expect(Fixture.screen(state).lines.allSatisfy { DisplayWidth.of($0) <= 80 })
        #expect(Fixture.press(state, [.character("x")]).0.overlay == nil)
    }

    @Test func formats() {
        #expect(Format.count(987) == "987")
        #expect(Format.count(12_345) == "12k")
        #expect(Format.count(1_234_567) == "1.2M")
        #expect(Format.rate(0) == "0")
        #expect(Format.rate(0.46) == "0.5")
        #expect(Format.rate(12.3) == "12")
        #expect(Format.rate(12_345) == "12k")
        #expect(Format.duration(45) == "45s")
        #expect(Format.duration(185) == "3m05s")
        #expect(Format.duration(3_725) == "1h02m")
        #expect(Format.duration(183_600) == "2d03h")
        #expect(Format.bytes(1_500) == "1.5K")
        #expect(Format.milliseconds(0.84) == "0.8ms")
        #expect(DisplayWidth.fit("ws_chat/server-with-a-long-name", width: 10) == "ws_chat/s…")
        #expect(DisplayWidth.fit("12", width: 5, alignment: .right) == "   12")
        #expect(DisplayWidth.of("日本") == 4)
    }

    @Test func screenBufferClipsWideCharactersAndControlCodes() {
        var buffer = ScreenBuffer(size: TerminalSize(columns: 6, rows: 1))
        buffer.write("a\u{1B}[2J日本語", x: 0, y: 0)
        #expect(buffer.line(0) == "a?[2J ")
        var wide = ScreenBuffer(size: TerminalSize(columns: 5, rows: 1))
        wide.write("日本語", x: 0, y: 0)
        #expect(wide.line(0) == "日本 ")
        #expect(wide[1, 0].isContinuation)
    }

    @Test func sparklinesComeFromTheHistoryRings() {
        let line = Fixture.screen(Fixture.state(size: TerminalSize(columns: 160, rows: 30))).lines[3]
        #expect(line.contains("▂▄▅█▆▅"))
        #expect(Glyphs.ascii.sparkline([0, 4, 8], width: 5) == "   =#")
    }
}

extension RenderTests {
    @Test func theHiddenColumnsNoteDoesNotCoverATitle() {
        let header = Fixture.screen(Fixture.state(size: Self.small)).lines[2]
        #expect(header.hasSuffix(" +5…"))
        #expect(header.contains(" PROBE "))
    }
}
