/// A rectangle of cells.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var rows: Range<Int> { y..<(y + height) }
}

/// Where each part of the screen goes for a state and a terminal size. Pure, so `update` (paging,
/// keeping the selection visible) and `render` agree on the table's height.
public struct Layout: Sendable, Hashable {
    /// Below this the dashboard shows a message instead of a table, and keeps running.
    public static let minimum = TerminalSize(columns: 80, rows: 24)
    /// Instances listed in the header before the rest is summarised on the last line.
    public static let maximumInstanceLines = 4
    /// At this width and above, the detail pane goes to the right of the table instead of under it.
    public static let sideDetailColumns = 140

    public var size: TerminalSize
    public var isTooSmall: Bool
    public var instanceLines: Range<Int>
    public var columnHeader: Int
    /// Rows of the table body (below the column headers).
    public var table: Rect
    public var drains: Rect?
    public var events: Rect?
    public var detail: Rect?
    public var footer: Int

    public init(state: TopState, size: TerminalSize) {
        self.size = size
        isTooSmall = size.columns < Self.minimum.columns || size.rows < Self.minimum.rows
        footer = max(0, size.rows - 1)
        let instances = max(
            1, min(state.shown?.instances.count ?? state.live?.instances.count ?? 1, Self.maximumInstanceLines))
        instanceLines = 1..<(1 + instances)
        var top = 1 + instances
        var bottom = footer
        let drainCount = min(state.drains.count, 3)
        if drainCount > 0 {
            drains = Rect(x: 0, y: bottom - drainCount, width: size.columns, height: drainCount)
            bottom -= drainCount
        }
        if state.showEvents {
            let height = max(6, size.rows / 4)
            events = Rect(x: 0, y: bottom - height, width: size.columns, height: height)
            bottom -= height
        }
        var tableWidth = size.columns
        if state.showDetail {
            if size.columns >= Self.sideDetailColumns {
                let width = max(56, size.columns * 2 / 5)
                detail = Rect(x: size.columns - width, y: top, width: width, height: bottom - top)
                tableWidth = size.columns - width
            } else {
                let height = max(9, (bottom - top) / 2)
                detail = Rect(x: 0, y: bottom - height, width: size.columns, height: height)
                bottom -= height
            }
        }
        columnHeader = top
        top += 1
        table = Rect(x: 0, y: top, width: tableWidth, height: bottom - top)
    }

    /// Rows of the table that fit: the page size of PgUp/PgDn.
    public var pageSize: Int { max(1, table.height) }
}
