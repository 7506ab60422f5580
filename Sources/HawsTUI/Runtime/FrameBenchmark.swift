#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsMonitor

/// Times the dashboard's own work over one engine state, without a terminal: `haws top --bench-frames N`.
///
/// Three costs, each the median of `frames` runs: taking a new engine state (``update(_:_:)`` with
/// ``Action/monitor(_:at:)``; in HAProxy's order the rows are kept when the objects are the same), rebuilding
/// the table rows of every server (a new object, a sort, a filter), and building a frame
/// (``Renderer/render(_:size:)``, the visible rows only). What ncurses does with the frame is not
/// included: it diffs it against the screen and writes only the changed cells.
public struct FrameBenchmark: Sendable {
    public var servers: Int
    public var rows: Int
    public var size: TerminalSize
    /// Milliseconds, median over the runs.
    public var updateMilliseconds: Double
    public var rebuildMilliseconds: Double
    public var renderMilliseconds: Double

    public static func run(_ state: TopState, monitor: MonitorState, size: TerminalSize, frames: Int) -> FrameBenchmark
    {
        let clock = ContinuousClock()
        var state = state
        state.size = size
        var updates: [Double] = []
        var renders: [Double] = []
        var rebuilds: [Double] = []
        var sink = 0
        for _ in 0..<max(1, frames) {
            let started = clock.now
            (state, _) = update(state, .monitor(monitor, at: state.now))
            let updated = clock.now
            let screen = Renderer.render(state, size: size)
            let rendered = clock.now
            sink &+= screen.size.rows
            updates.append(milliseconds(updated - started))
            renders.append(milliseconds(rendered - updated))
            var rebuilt = state
            let rebuildStarted = clock.now
            rebuilt.rebuildRows()
            rebuilds.append(milliseconds(clock.now - rebuildStarted))
            sink &+= rebuilt.rows.count
        }
        precondition(sink > 0)
        let servers = monitor.instances.reduce(0) { total, live in
            total + (live.snapshot?.backends.reduce(0) { $0 + $1.servers.count } ?? 0)
        }
        return FrameBenchmark(
            servers: servers, rows: state.rows.count, size: size, updateMilliseconds: median(updates),
            rebuildMilliseconds: median(rebuilds), renderMilliseconds: median(renders))
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    /// One line for the bench output.
    public var summary: String {
        String(
            printf:
                "frame build %.2f ms (render of %ldx%ld, visible rows only); new engine state %.2f ms; all %ld rows of %ld servers rebuilt %.2f ms",
            renderMilliseconds, size.columns, size.rows, updateMilliseconds, rows, servers, rebuildMilliseconds)
    }
}

