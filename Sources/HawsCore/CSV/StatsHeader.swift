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
    /// The reverse: for each position, the raw value of the ``StatsColumn`` there, or `-1` for a column the
    /// typed model does not read while parsing (unknown, or ``StatsColumn/isReadOnDemand``). The parser uses
    /// it to keep only the cells it needs, and stops splitting a row after the last of them.
    let columnAtPosition: [Int]

    public init(names: [String]) {
        self.names = names
        var map: [String: Int] = [:]
        for (index, name) in names.enumerated() where !name.isEmpty && map[name] == nil {
            map[name] = index
        }
        self.indexByName = map
        self.knownIndex = StatsColumn.allCases.map { map[$0.name] ?? -1 }
        var columns = [Int](repeating: -1, count: names.count)
        for column in StatsColumn.allCases where !column.isReadOnDemand {
            if let position = map[column.name] { columns[position] = column.rawValue }
        }
        self.columnAtPosition = columns
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
