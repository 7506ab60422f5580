/// The size of a terminal in character cells.
public struct TerminalSize: Sendable, Hashable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    public var description: String { "\(columns)x\(rows)" }
}

/// What a cell means, not which colour it has: the backend maps roles to 256, 16 or no colours, so the
/// same buffer is right on every terminal and snapshot tests do not depend on the colour depth.
public enum StyleRole: UInt8, Sendable, Hashable, CaseIterable {
    case normal
    /// Secondary text: units, labels, unavailable values.
    case dim
    /// The top bar.
    case title
    /// Column headers and pane titles.
    case header
    case ok
    case warning
    case critical
    case drain
    case maint
    /// Highlights that carry no verdict: the current view, keys in the help.
    case accent
    case border
}

/// A cell's look: a role plus the attributes that still mean something without colour.
public struct CellStyle: Sendable, Hashable {
    public var role: StyleRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: StyleRole = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let normal = CellStyle()
    public static let dim = CellStyle(.dim)
    public static let header = CellStyle(.header, bold: true)
    public static let title = CellStyle(.title, reverse: true)
    public static let accent = CellStyle(.accent, bold: true)
    public static let border = CellStyle(.border)
}

/// A frame of text with a style per cell: what `render` returns and the ncurses backend blits.
///
/// Wide characters (CJK, some symbols) take two cells; the second is marked as a continuation and
/// holds no character of its own.
public struct ScreenBuffer: Sendable, Hashable {
    public struct Cell: Sendable, Hashable {
        public var character: Character
        public var style: CellStyle
        /// The right half of a wide character.
        public var isContinuation: Bool

        public static let blank = Cell(character: " ", style: .normal, isContinuation: false)
    }

    public let size: TerminalSize
    public private(set) var cells: [Cell]

    public init(size: TerminalSize) {
        self.size = size
        self.cells = Array(repeating: .blank, count: size.columns * size.rows)
    }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < size.columns, y < size.rows else { return .blank }
        return cells[y * size.columns + x]
    }

    /// Writes `text` from (`x`, `y`), clipped to `maxWidth` cells and the right edge; control
    /// characters show as `?`. Returns the number of cells used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: CellStyle = .normal) -> Int
    {
        guard y >= 0, y < size.rows, x < size.columns else { return 0 }
        let limit = min(size.columns, x + (maxWidth ?? size.columns))
        var column = x
        for character in text {
            let safe = DisplayWidth.printable(character)
            let width = DisplayWidth.of(safe)
            if width == 0 { continue }
            if column + width > limit { break }
            if column >= 0 {
                cells[y * size.columns + column] = Cell(character: safe, style: style, isContinuation: false)
                if width == 2 {
                    cells[y * size.columns + column + 1] = Cell(character: " ", style: style, isContinuation: true)
                }
            }
            column += width
        }
        return max(0, column - x)
    }

    /// Writes `text` fitted into exactly `width` cells (truncated with `ellipsis`, padded by `alignment`).
    public mutating func write(
        _ text: String, x: Int, y: Int, width: Int, alignment: Alignment, ellipsis: String = "…",
        style: CellStyle = .normal
    ) {
        guard width > 0 else { return }
        fill(x: x, y: y, width: width, style: style)
        write(
            DisplayWidth.fit(text, width: width, alignment: alignment, ellipsis: ellipsis), x: x, y: y, maxWidth: width,
            style: style)
    }

    /// Blanks `width` cells of row `y` from `x` with `style`.
    public mutating func fill(x: Int, y: Int, width: Int, style: CellStyle = .normal, character: Character = " ") {
        guard y >= 0, y < size.rows else { return }
        let start = max(0, x)
        let end = min(size.columns, x + width)
        guard start < end else { return }
        for column in start..<end {
            cells[y * size.columns + column] = Cell(character: character, style: style, isContinuation: false)
        }
    }

    /// Changes the style of `width` cells of row `y` from `x` (the selection bar, a marked row).
    public mutating func restyle(x: Int, y: Int, width: Int, _ change: (inout CellStyle) -> Void) {
        guard y >= 0, y < size.rows else { return }
        let start = max(0, x)
        let end = min(size.columns, x + width)
        guard start < end else { return }
        for column in start..<end { change(&cells[y * size.columns + column].style) }
    }

    /// The text of row `y`, trailing blanks kept.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < size.rows else { return "" }
        var text = ""
        text.reserveCapacity(size.columns)
        for x in 0..<size.columns {
            let cell = cells[y * size.columns + x]
            if !cell.isContinuation { text.append(cell.character) }
        }
        return text
    }

    /// Every row, trailing blanks removed: what a snapshot test compares.
    public var lines: [String] {
        (0..<size.rows).map { y in
            var text = line(y)
            while text.last == " " { text.removeLast() }
            return text
        }
    }

    /// The whole frame as text (rows joined by newlines, trailing blanks removed).
    public var text: String { lines.joined(separator: "\n") }

    /// The style of the cell where `needle` first appears, for tests that check colour roles.
    public func style(of needle: String) -> CellStyle? {
        for y in 0..<size.rows {
            let text = line(y)
            if let range = text.firstRange(of: needle) {
                let column = DisplayWidth.of(String(text[..<range.lowerBound]))
                return self[column, y].style
            }
        }
        return nil
    }
}
