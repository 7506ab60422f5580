/// The column names of one stats CSV, shared by all of its rows.
///
/// Columns are always looked up by name: the set differs across HAProxy versions (101 static columns
/// in 2.6.0, 103 in 2.6.12, 113 in 2.8, 118 in 3.3) and build-dependent module columns (`ssl_*`,
/// `h1_*`, `h2_*`) follow a column named `-`. A final class so that 10,000 rows share one copy;
/// immutable after `init`, hence `Sendable`.
public final class StatsHeader: Sendable, Hashable {
    /// Every column name in order, including `-` and module columns; the empty name after the
    /// trailing comma is dropped.
    public let names: [String]
    private let indexByName: [String: Int]
    /// Positions of the ``StatsColumn`` cases, `-1` when this HAProxy's CSV lacks the column.
    private let knownIndex: [Int]

    public init(names: [String]) {
        self.names = names
        var map: [String: Int] = [:]
        for (index, name) in names.enumerated() where !name.isEmpty && map[name] == nil {
            map[name] = index
        }
        self.indexByName = map
        self.knownIndex = StatsColumn.allCases.map { map[$0.name] ?? -1 }
    }

    /// The position of a known column, or `nil` when absent.
    @inline(__always)
    public func index(of column: StatsColumn) -> Int? {
        let index = knownIndex[column.rawValue]
        return index < 0 ? nil : index
    }

    /// Parses the fields of the `# pxname,svname,...` line.
    public convenience init(headerFields: [String]) {
        var names = headerFields
        if let first = names.first {
            var trimmed = Substring(first)
            if trimmed.hasPrefix("#") { trimmed = trimmed.dropFirst() }
            names[0] = String(trimmed.drop(while: { $0 == " " }))
        }
        while let last = names.last, last.isEmpty { names.removeLast() }
        self.init(names: names)
    }

    public func index(of name: String) -> Int? { indexByName[name] }

    /// Columns after the `-` separator: build-dependent module counters.
    public var moduleColumns: ArraySlice<String> {
        guard let dash = indexByName["-"] else { return [] }
        return names[(dash + 1)...]
    }

    public static func == (lhs: StatsHeader, rhs: StatsHeader) -> Bool { lhs === rhs || lhs.names == rhs.names }
    public func hash(into hasher: inout Hasher) { hasher.combine(names) }
}

/// One row of the stats CSV: every cell HAProxy gave, readable by column name.
///
/// Unknown columns stay available through ``subscript(_:)``; typed accessors return `nil` for an
/// empty or non-numeric cell, because HAProxy leaves a cell empty when a metric does not apply.
public struct StatsRow: Sendable, Hashable {
    public let header: StatsHeader
    public let values: [String]

    public init(header: StatsHeader, values: [String]) {
        self.header = header
        self.values = values
    }

    /// The raw cell, or `nil` when the column is absent from this HAProxy's CSV or the row is short.
    public subscript(_ column: String) -> String? {
        guard let index = header.index(of: column), index < values.count else { return nil }
        return values[index]
    }

    /// The cell of a known column, by position.
    public subscript(_ column: StatsColumn) -> String? {
        guard let index = header.index(of: column), index < values.count else { return nil }
        return values[index]
    }

    /// A known column as an integer; `nil` when absent, empty or not a number.
    public func int(_ column: StatsColumn) -> Int? {
        guard let cell = self[column], !cell.isEmpty else { return nil }
        return Int(cell)
    }

    /// A known column as a non-empty string.
    public func text(_ column: StatsColumn) -> String? {
        guard let cell = self[column], !cell.isEmpty else { return nil }
        return cell
    }

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
        for (index, name) in header.names.enumerated() where !name.isEmpty && name != "-" && index < values.count {
            let value = values[index]
            if !value.isEmpty { out[name] = value }
        }
        return out
    }
}
