/// Read access to the known columns of one stats row, by the two producers of rows: a ``StatsRow`` (any
/// row, split on demand) and the parser's ``RecordCells`` (cells read straight from the input bytes).
/// The typed model (``Server``, ``Backend``, ``Frontend``) is built from either.
public protocol StatsCells {
    /// The raw cell; `""` when empty, `nil` when this HAProxy's CSV lacks the column or the row is short.
    func cell(_ column: StatsColumn) -> String?
    /// The cell as an integer; `nil` when absent, empty or not a number.
    func int(_ column: StatsColumn) -> Int?
}

extension StatsCells {
    public func int(_ column: StatsColumn) -> Int? {
        guard let cell = cell(column), !cell.isEmpty else { return nil }
        return Int(cell)
    }

    /// The cell as a non-empty string.
    public func text(_ column: StatsColumn) -> String? {
        guard let cell = cell(column), !cell.isEmpty else { return nil }
        return cell
    }
}

/// The known cells of the record being parsed, as byte ranges into the CSV text.
///
/// Valid only inside the parser's pass over the bytes. Integers are read from the bytes without making a
/// string; quoted cells (free text such as `check_desc`) are unescaped into strings as they are met.
struct RecordCells: StatsCells {
    let bytes: UnsafeBufferPointer<UInt8>
    /// `start, end` per ``StatsColumn`` raw value; `start == -1` when the record has no such cell. Raw
    /// memory owned by the parser's pass (``deallocate()``): set for ~45 cells of each of 10,000 rows, an
    /// array's uniqueness check on every write showed in profiles. One more pair at the end,
    /// ``scratchSlot``, takes the cells of columns nobody reads.
    let ranges: UnsafeMutableBufferPointer<Int>
    /// Where in ``ranges`` the splitter writes a column haws does not keep.
    static let scratchSlot = 2 * StatsColumn.allCases.count
    /// Unescaped text of quoted cells of this record, by ``StatsColumn`` raw value, and the columns set there.
    /// Raw memory like ``ranges``: the model's initializers take the cells as a generic value, and a struct
    /// holding arrays was copied with a retain and a release per initializer, 30,000 times a poll.
    private let quotedTexts: UnsafeMutableBufferPointer<String?>
    private let quotedList: UnsafeMutableBufferPointer<Int>
    /// How many cells of this record were quoted (most records: none).
    private(set) var quotedCount = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.ranges = .allocate(capacity: Self.scratchSlot + 2)
        self.ranges.initialize(repeating: -1)
        self.quotedTexts = .allocate(capacity: StatsColumn.allCases.count)
        self.quotedTexts.initialize(repeating: nil)
        self.quotedList = .allocate(capacity: StatsColumn.allCases.count)
        self.quotedList.initialize(repeating: 0)
    }

    /// Frees the raw memory; the cells are unusable afterwards.
    func deallocate() {
        ranges.deallocate()
        _ = quotedTexts.deinitialize()
        quotedTexts.deallocate()
        quotedList.deallocate()
    }

    /// Forgets the previous record's cells.
    mutating func reset() {
        for index in stride(from: 0, to: Self.scratchSlot, by: 2) { ranges[index] = -1 }
        for position in 0..<quotedCount { quotedTexts[quotedList[position]] = nil }
        quotedCount = 0
    }

    func set(_ column: Int, start: Int, end: Int) {
        ranges[2 * column] = start
        ranges[2 * column + 1] = end
    }

    mutating func setQuoted(_ column: Int, text: String, start: Int, end: Int) {
        set(column, start: start, end: end)
        if quotedTexts[column] == nil {
            quotedList[quotedCount] = column
            quotedCount += 1
        }
        quotedTexts[column] = text
    }

    /// The unescaped text of a quoted cell; `nil` when the cell was not quoted.
    @inline(__always)
    func quoted(_ column: StatsColumn) -> String? {
        quotedCount == 0 ? nil : quotedTexts[column.rawValue]
    }

    func has(_ column: StatsColumn) -> Bool { ranges[2 * column.rawValue] >= 0 }

    /// Whether the cell was quoted in the input (its text is then in ``quoted``, not in the bytes).
    func isQuoted(_ column: StatsColumn) -> Bool { quoted(column) != nil }

    /// The cell's byte range in the input; `nil` when absent or quoted.
    func plainRange(_ column: StatsColumn) -> Range<Int>? {
        let start = ranges[2 * column.rawValue]
        guard start >= 0, !isQuoted(column) else { return nil }
        return start..<ranges[2 * column.rawValue + 1]
    }

    func cell(_ column: StatsColumn) -> String? {
        let start = ranges[2 * column.rawValue]
        guard start >= 0 else { return nil }
        if let text = quoted(column) { return text }
        let end = ranges[2 * column.rawValue + 1]
        return start == end ? "" : String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// Whether the cell's bytes equal `text` (the parser's check for `FRONTEND`/`BACKEND` and repeated names).
    func cellEquals(_ column: StatsColumn, _ text: StaticString) -> Bool {
        let start = ranges[2 * column.rawValue]
        guard start >= 0, !isQuoted(column) else { return cell(column) == text.description }
        let end = ranges[2 * column.rawValue + 1]
        return text.withUTF8Buffer { UnsafeBufferPointer(rebasing: bytes[start..<end]).elementsEqual($0) }
    }

    // Inlined into the model's initializers: ~40 numbers per server, 400,000 per poll at 10,000 servers, and
    // the call itself (prologue, spills) cost more than reading the digits.
    @inline(__always)
    func int(_ column: StatsColumn) -> Int? {
        let start = ranges[2 * column.rawValue]
        guard start >= 0 else { return nil }
        // Most records have no quoted cell: skip the lookup of an optional string per number.
        if let text = quoted(column) { return text.isEmpty ? nil : Int(text) }
        return Self.decimal(bytes, start, ranges[2 * column.rawValue + 1])
    }

    /// `Int(String)` semantics on bytes: an optional sign, then digits only; `nil` when empty, malformed or
    /// out of range.
    @inline(__always)
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var index = start
        guard index < end else { return nil }
        // The common cell: one digit ("0" for most counters of an idle server).
        if end - start == 1 {
            let digit = bytes[start] &- UInt8(ascii: "0")
            return digit < 10 ? Int(digit) : nil
        }
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
            guard index < end else { return nil }
        }
        var value = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
            guard !overflow, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}
