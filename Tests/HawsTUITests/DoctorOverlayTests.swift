import Foundation
import HawsCore
import HawsDoctor
import HawsMonitor
import Testing

@testable import HawsTUI

/// `D`: the doctor's findings over the dashboard. Reports come from the real rules (``DoctorRun``) on a config text
/// and the fixture's snapshot; update and render are driven without a terminal.
@Suite struct DoctorOverlayTests {
    static let path = "/etc/haproxy/haproxy.cfg"
    /// ws_chat has no `timeout tunnel` (critical); the running ws_feed and http_api are not in the file (live
    /// mismatch warnings); no hard-stop-after (warning).
    static let config = """
        global
            maxconn 4000
        defaults
            mode http
            timeout connect 5s
            timeout client 50s
            timeout server 50s
            timeout http-request 10s
            timeout client-fin 30s
            timeout server-fin 30s
        backend ws_chat
            balance leastconn
            option forwardfor
            server s1 10.0.0.1:80
            server s2 10.0.0.2:80
            server s3 10.0.0.3:80
        """

    static func report(_ state: TopState, config: String? = Self.config) -> DoctorReport {
        let parsed = config.map { ConfigReader().read([ConfigSource(path: path, text: $0)]) }
        let facts = (state.live?.instances ?? []).compactMap(\.snapshot).map {
            DoctorLiveFacts(instance: $0.instance, snapshot: $0)
        }
        return DoctorReport(
            files: config == nil ? [] : [path], instances: facts.map(\.instance), haproxyCheck: .init(ran: false),
            findings: DoctorRun.findings(config: parsed, facts: facts, context: DoctorContext()))
    }

    static func opened(size: TerminalSize = TerminalSize(columns: 120, rows: 40), config: String? = Self.config)
        -> TopState
    {
        let state = Fixture.press(Fixture.state(size: size), [.character("D")]).0
        return update(state, .doctor(report(state, config: config), at: Fixture.start.addingTimeInterval(2))).0
    }

    @Test func dOpensTheOverlayAndAsksForOneReportAtATime() {
        let state = Fixture.state()
        let (open, effects) = Fixture.press(state, [.character("D")])
        #expect(open.overlay == .doctor)
        #expect(effects == [.runDoctor])
        #expect(open.doctor.running)
        #expect(Fixture.screen(open).text.contains("checking the configuration and the instances"))

        // A snapshot while a run is under way starts no other; one after its answer does.
        let monitor = try! #require(state.live)
        let (busy, none) = update(open, .monitor(monitor, at: Fixture.start.addingTimeInterval(1)))
        #expect(none.isEmpty)
        let (answered, _) = update(busy, .doctor(Self.report(busy), at: Fixture.start.addingTimeInterval(1)))
        #expect(!answered.doctor.running && answered.doctor.report != nil)
        #expect(update(answered, .monitor(monitor, at: Fixture.start.addingTimeInterval(2))).1.isEmpty, "1 s after")
        #expect(update(answered, .monitor(monitor, at: Fixture.start.addingTimeInterval(3))).1 == [.runDoctor])

        // Closed: snapshots no longer ask, and the keys go back to the table.
        let (closed, _) = Fixture.press(answered, [.escape])
        #expect(closed.overlay == nil)
        #expect(update(closed, .monitor(monitor, at: Fixture.start.addingTimeInterval(9))).1.isEmpty)
        #expect(Fixture.press(closed, [.down]).0.cursor == closed.cursor + 1)
        for key in [Key.character("q"), .character("D"), .enter] {
            #expect(Fixture.press(answered, [key]).0.overlay == nil)
        }
        #expect(Fixture.press(answered, [.character("q")]).0.shouldQuit == false, "q closes the overlay, not haws top")
    }

    @Test func findingsAreListedWorstFirstWithPlaceMessageAndFix() throws {
        let state = Self.opened()
        let screen = Fixture.screen(state)
        let lines = screen.lines
        #expect(lines[1].contains("haws doctor: CRITICAL (1 critical, "), "\(screen.text)")
        #expect(lines[2].contains("config: \(Self.path)") && lines[2].contains("live: demo") && lines[2].contains("checked 0s ago"))
        let first = try #require(lines.firstIndex { $0.contains("CRITICAL timeout-tunnel-missing") }, "\(screen.text)")
        #expect(lines[first].contains("\(Self.path):11  backend ws_chat"), "file:line and section: \(lines[first])")
        #expect(lines[first + 1].contains("         "), "the message is indented under the code")
        #expect(lines[(first + 1)...].contains { $0.contains("fix: ") && $0.contains("timeout tunnel 1h") }, "\(screen.text)")
        let mismatch = try #require(lines.firstIndex { $0.contains("WARNING  live-config-mismatch") }, "\(screen.text)")
        #expect(lines[mismatch].contains("instance demo"))
        #expect(first < mismatch, "worst first")
        #expect(screen.style(of: "CRITICAL timeout-tunnel-missing")?.role == .critical)
        #expect(screen.style(of: "WARNING  live-config-mismatch")?.role == .warning)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 120 })
        #expect(lines[37].contains("Esc D close") && lines[37].contains("haws doctor --explain CODE"))
        // Older as the clock moves.
        let later = update(state, .tick(Fixture.start.addingTimeInterval(12))).0
        #expect(Fixture.screen(later).lines[2].contains("checked 10s ago"))
    }

    @Test func scrollsByLineAndPageAndStopsAtTheLastPage() {
        let size = TerminalSize(columns: 80, rows: 24)
        let state = Self.opened(size: size)
        let total = DoctorOverlay.lines(state.doctor, width: DoctorOverlay.textWidth(size)).count
        let page = DoctorOverlay.page(size)
        #expect(page == 18)
        #expect(total > page, "80x24 needs scrolling: \(total) lines")
        #expect(Fixture.screen(state).lines[21].contains("lines 1-\(page) of \(total)"))
        #expect(Fixture.press(state, [.character("j"), .down]).0.doctor.scroll == 2)
        #expect(Fixture.press(state, [.character("k")]).0.doctor.scroll == 0)
        #expect(Fixture.press(state, [.pageDown]).0.doctor.scroll == min(page, total - page))
        let bottom = Fixture.press(state, [.character("G")]).0
        #expect(bottom.doctor.scroll == total - page)
        #expect(Fixture.press(bottom, [.down, .pageDown]).0.doctor.scroll == total - page)
        #expect(Fixture.press(bottom, [.character("g")]).0.doctor.scroll == 0)
        let last = Fixture.screen(bottom).lines
        #expect(last[21].contains("lines \(total - page + 1)-\(total) of \(total)"))
        #expect(last.allSatisfy { DisplayWidth.of($0) <= 80 })
        // A shorter report keeps the scroll inside it; reopening starts at the top.
        let shorter = update(bottom, .doctor(DoctorReport(files: [], instances: [], haproxyCheck: .init(ran: false), findings: []), at: Fixture.start)).0
        #expect(shorter.doctor.scroll == 0)
        let reopened = Fixture.press(Fixture.press(bottom, [.escape]).0, [.character("D")]).0
        #expect(reopened.doctor.scroll == 0)
    }

    @Test func noConfigFileIsANoteAndLiveRulesStillRun() {
        let state = Self.opened(config: nil)
        let text = Fixture.screen(state).text
        #expect(text.contains("config: none: \(DoctorRun.defaultConfig) does not exist (--doctor-config FILE|DIR)"))
        #expect(!text.contains("timeout-tunnel-missing"))
        let empty = update(state, .doctor(DoctorReport(files: [Self.path], instances: ["demo"], haproxyCheck: .init(ran: false), findings: []), at: Fixture.start)).0
        #expect(Fixture.screen(empty).text.contains("No findings: nothing here is known to break WebSockets."))
        #expect(Fixture.screen(empty).lines[1].contains("haws doctor: OK (no problem)"))
    }

    @Test func wrapKeepsWordsAndCutsOnlyWordsLongerThanALine() {
        #expect(DoctorOverlay.wrap("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(DoctorOverlay.wrap("abcdefghij xy", width: 4) == ["abcd", "efgh", "ij", "xy"])
        #expect(DoctorOverlay.wrap("", width: 10) == [""])
        #expect(DoctorOverlay.wrap("  spaced   out  ", width: 20) == ["spaced out"])
    }

    @Test func helpNamesTheKey() {
        let help = Fixture.screen(Fixture.press(Fixture.state(), [.character("?")]).0).text
        #expect(help.contains("D               doctor: what breaks WS"), "\(help)")
    }
}
