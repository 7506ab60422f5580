import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsTUI

@Suite struct ScrollTests {
    /// 100 backends x 100 servers.
    static let big: TopState = {
        var backends: [(String, [Fixture.ServerRow])] = []
        for b in 0..<100 {
            backends.append(
                (
                    "be\(b)",
                    (0..<100).map {
                        Fixture.ServerRow("srv\($0)", sessions: $0 % 7, tunnels: ($0 * b) % 13, upgrades: $0)
                    }
                ))
        }
        return Fixture.state(size: TerminalSize(columns: 160, rows: 50), backends: backends)
    }()

    static func milliseconds(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        return Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1_000
    }

    @Test func tenThousandServersRenderOnlyTheVisibleRows() {
        var state = Self.big
        #expect(state.rows.count == 10_100)
        // The frame is built from the visible rows only: well under 100 ms even in a debug build.
        var screen = ScreenBuffer(size: state.size)
        let render = Self.milliseconds { screen = Fixture.screen(state) }
        #expect(render < 100, "render took \(render) ms")
        #expect(screen.lines[3].hasPrefix("▾ be0"))
        // Paging and jumping move through the whole table.
        state = Fixture.press(state, [.end]).0
        #expect(state.cursor == 10_099)
        let last = Fixture.screen(state)
        #expect(last.text.contains("└ srv99"))
        #expect(last.lines[2].contains("10100/10100"))
        state = Fixture.press(state, [.pageUp, .pageUp]).0
        #expect(state.cursor == 10_099 - 2 * Layout(state: state, size: state.size).pageSize)
        #expect(state.scroll <= state.cursor)
        state = Fixture.press(state, [.character("g")]).0
        #expect(state.cursor == 0 && state.scroll == 0)
        for _ in 0..<250 { state = Fixture.press(state, [.pageDown]).0 }
        #expect(state.cursor == 10_099)
        let frame = Self.milliseconds { _ = Fixture.screen(state) }
        #expect(frame < 100, "render took \(frame) ms")
    }

    /// Rebuilding the rows (a new snapshot, a sort, a filter key) stays interactive at 10,000 servers.
    @Test func tenThousandServersSortAndFilterQuickly() {
        var state = Self.big
        let sort = Self.milliseconds { state = Fixture.press(state, [.character("s"), .character("s")]).0 }
        #expect(state.sort.column == .state)
        let filter = Self.milliseconds { state.applyFilter("srv1[0-9]$") }
        #expect(state.rows.count == 100 * 11)
        let snapshot = Self.milliseconds { state = update(state, .monitor(state.live!, at: Fixture.start)).0 }
        print("10k servers: sort x2 \(sort) ms, filter \(filter) ms, snapshot \(snapshot) ms")
        #expect(sort < 2_000 && filter < 1_000 && snapshot < 1_000)
    }

    @Test func theSelectionStaysVisibleOnResize() {
        var state = Fixture.press(Self.big, [.end]).0
        state = update(state, .resized(TerminalSize(columns: 80, rows: 24))).0
        let layout = Layout(state: state, size: state.size)
        #expect(state.cursor >= state.scroll && state.cursor < state.scroll + layout.pageSize)
        #expect(Fixture.screen(state).text.contains("└ srv99"))
    }
}
