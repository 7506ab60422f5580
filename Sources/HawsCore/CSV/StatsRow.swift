/// One row of the stats CSV: every cell HAProxy gave, readable by column name.
///
/// Unknown columns stay available through ``subscript(_:)``; typed accessors return `nil` for an
/// empty or non-numeric cell, because HAProxy leaves a cell empty when a metric does not apply.
///
/// A row parsed from a poll is a byte range into the poll's ``StatsText``: its cells are split only when
/// something asks for one (the typed model does not; it reads its columns while parsing). Every accessor
/// here splits the row again, so hot paths read the typed fields of ``Server``, ``Backend`` and
/// ``Frontend`` instead.
public struct StatsRow: Sendable, Hashable {
    /// One reference and a range (32 bytes): every server of every snapshot holds a row, and a row that held
    /// the header (four arrays) cost 32 more bytes and four reference counts per server per poll.
    private let storage: Storage

    private enum Storage: Sendable {
        case cells(Cells)
        case slice(StatsRowSource, Range<Int>)
    }

    /// A row given as split cells (the stats page's rows in tests, ``Server/init(row:)``).
    private final class Cells: Sendable {
        let header: StatsHeader
        let values: [String]
        init(header: StatsHeader, values: [String]) {
            self.header = header
            self.values = values
        }
    }

    public init(header: StatsHeader, values: [String]) {
        self.storage = .cells(Cells(header: header, values: values))
    }

    /// A row that is the bytes `range` of `source` (one CSV record, without its line end); the parser makes
    /// one ``StatsRowSource`` per CSV for all its rows.
    init(source: StatsRowSource, range: Range<Int>) {
        self.storage = .slice(source, range)
    }

    /// The CSV's header, which names the cells.
    public var header: StatsHeader {
        switch storage {
        case .cells(let cells): cells.header
        case .slice(let source, _): source.header
        }
    }

    /// Every cell in column order.
    public var values: [String] {
        switch storage {
        case .cells(let cells):
            return cells.values
        case .slice(let source, let range):
            return source.text.withBytes {
                CSVReader.records(bytes: UnsafeBufferPointer(rebasing: $0[range])).first ?? []
            }
        }
    }

    /// The raw cell, or `nil` when the column is absent from this HAProxy's CSV or the row is short.
    public subscript(_ column: String) -> String? {
        guard let index = header.index(of: column) else { return nil }
        let values = self.values
        return index < values.count ? values[index] : nil
    }

    /// The cell of a known column, by position.
    public subscript(_ column: StatsColumn) -> String? { cell(column) }

    /// The cell as an integer; `nil` when absent, empty or not a number.
    public func int(_ column: String) -> Int? {
        guard let cell = self[column], !cell.isEmpty else { return nil }
        return Int(cell)
    }

    /// The cell as a non-empty string.
    public func text(_ column: String) -> String? {
        guard let cell = self[column], !cell.isEmpty else { return nil }
        return cell
    }

    /// All non-empty cells by column name (for `--json` detail and the dashboard's detail pane).
    public var fields: [String: String] {
        var out: [String: String] = [:]
        let values = self.values
        for (index, name) in header.names.enumerated() where !name.isEmpty && name != "-" && index < values.count {
            let value = values[index]
            if !value.isEmpty { out[name] = value }
        }
        return out
    }

    public static func == (lhs: StatsRow, rhs: StatsRow) -> Bool {
        guard lhs.header == rhs.header else { return false }
        if case .slice(let left, let leftRange) = lhs.storage, case .slice(let right, let rightRange) = rhs.storage {
            if left.text === right.text && leftRange == rightRange { return true }
            let same = left.text.withBytes { l in
                right.text.withBytes { r in
                    leftRange.count == rightRange.count
                        && UnsafeBufferPointer(rebasing: l[leftRange]).elementsEqual(UnsafeBufferPointer(rebasing: r[rightRange]))
                }
            }
            if same { return true }
        }
        return lhs.values == rhs.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        hasher.combine(values)
    }
}

extension StatsRow: StatsCells {
    public func cell(_ column: StatsColumn) -> String? {
        guard let index = header.index(of: column) else { return nil }
        let values = self.values
        return index < values.count ? values[index] : nil
    }
}

/// The text and header shared by every row parsed from one stats CSV.
final class StatsRowSource: Sendable {
    let text: StatsText
    let header: StatsHeader

    init(text: StatsText, header: StatsHeader) {
        self.text = text
        self.header = header
    }
}
