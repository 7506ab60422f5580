import CStatsScan

/// What a stats CSV holds once parsed: proxies by type, in HAProxy's order.
public struct StatsTable: Sendable, Hashable {
    public var header: StatsHeader
    public var frontends: [Frontend]
    public var backends: [Backend]
    /// Rows that could not be understood (missing names, unknown `type`): skipped, never a server
    /// reported DOWN.
    public var skippedRows: Int

    public init(header: StatsHeader, frontends: [Frontend] = [], backends: [Backend] = [], skippedRows: Int = 0) {
        self.header = header
        self.frontends = frontends
        self.backends = backends
        self.skippedRows = skippedRows
    }
}

/// Why a stats CSV could not be read at all (as opposed to a bad row, which is skipped).
public struct StatsCSVError: Error, Hashable, CustomStringConvertible {
    public let description: String
    public static let empty = StatsCSVError(description: "the stats CSV is empty")
    public static func notCSV(_ firstLine: String) -> StatsCSVError {
        let shown = firstLine.count > 60 ? String(firstLine.prefix(60)) + "..." : firstLine
        return StatsCSVError(
            description: "not a HAProxy stats CSV (first line \"\(shown)\"; expected \"# pxname,svname,...\")")
    }
    public static let missingColumns = StatsCSVError(
        description: "the stats CSV header lacks the pxname/svname columns")
}

/// Parses HAProxy's stats CSV (`show stat` or the stats page `;csv`) by header name.
///
/// One pass over the bytes: the header maps each position to the typed model's column (or none), cells
/// the model reads are kept as byte ranges, numbers are read from the bytes, and each row keeps only its
/// byte range for later (``StatsRow``). Quoting follows RFC 4180 as ``CSVReader`` does: quoted cells may
/// hold commas, doubled quotes and line breaks, an unterminated quote ends at the end of input, and stray
/// bytes after a closing quote stay in the cell.
public enum StatsCSVParser {
    public static func parse(_ text: String) throws(StatsCSVError) -> StatsTable {
        try parse(source: StatsText(text))
    }

    /// The CSV as bytes, as the runtime API client reads `show stat` (no string is made of the whole text;
    /// cells become strings as the model reads them, ill-formed UTF-8 repaired).
    ///
    /// - Parameter whenReleased: called with `bytes` when the last row parsed from them is gone (see
    ///   ``StatsText/init(bytes:whenReleased:)``).
    public static func parse(
        bytes: [UInt8], whenReleased: (@Sendable ([UInt8]) -> Void)? = nil
    ) throws(StatsCSVError) -> StatsTable {
        try parse(source: StatsText(bytes: bytes, whenReleased: whenReleased))
    }

    private static func parse(source: StatsText) throws(StatsCSVError) -> StatsTable {
        let result: Result<StatsTable, StatsCSVError> = source.withBytes { bytes in
            do throws(StatsCSVError) {
                return .success(try parse(bytes, source: source))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"),
        cr = UInt8(ascii: "\r"), hash = UInt8(ascii: "#")

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, source: StatsText) throws(StatsCSVError) -> StatsTable {
        let count = bytes.count
        var index = 0
        while index < count, bytes[index] == lf || bytes[index] == cr { index += 1 }
        guard index < count else { throw .empty }
        let headerStart = index
        while index < count, bytes[index] != lf, bytes[index] != cr { index += 1 }
        let first = CSVReader.records(bytes: UnsafeBufferPointer(rebasing: bytes[headerStart..<index])).first ?? []
        guard let firstCell = first.first, firstCell.hasPrefix("#") else {
            throw .notCSV(first.joined(separator: ","))
        }
        let header = StatsHeader(headerFields: first)
        guard header.index(of: .pxname) != nil, header.index(of: .svname) != nil else { throw .missingColumns }
        // Raw memory for the position -> column map read once per cell (900,000 cells at 10,000 servers), and
        // the splitter's position -> slot in `RecordCells.ranges` (the scratch slot for unkept columns).
        let columnCount = header.columnAtPosition.count
        let columnAt = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(columnCount, 1))
        _ = columnAt.initialize(from: header.columnAtPosition)
        defer { columnAt.deallocate() }
        let slotAt = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(columnCount, 1))
        _ = slotAt.initialize(from: header.columnAtPosition.map { $0 >= 0 ? 2 * $0 : RecordCells.scratchSlot })
        defer { slotAt.deallocate() }
        // The cells after the last column haws reads (HAProxy 2.6: 28 of 128, the h1/h2 counters) are
        // skipped to the line end instead of being split.
        let lastKnownPosition = header.columnAtPosition.lastIndex { $0 >= 0 } ?? -1

        var table = StatsTable(header: header)
        let rowSource = StatsRowSource(text: source, header: header)
        var backendIndex: [String: Int] = [:]
        var pendingServers: [String: [Server]] = [:]
        var cells = RecordCells(bytes: bytes)
        defer { cells.deallocate() }
        var scratch: [UInt8] = []
        // Servers follow their backend's name row after row: reuse the previous row's name string.
        var lastProxy: (start: Int, end: Int, name: String)?
        // A fleet has a handful of distinct status and check cells: tokenise each pair once per poll. Rows in
        // a row mostly repeat the previous one's pair, which a byte comparison finds without a lookup.
        var conditions: [String: [String: ServerCondition]] = [:]
        var conditionCount = 0
        var lastCondition: (status: Range<Int>, check: Range<Int>, condition: ServerCondition)?
        // HAProxy lists a backend's servers before its BACKEND row: collect the current run of servers
        // without a lookup per row; other pending servers (a truncated or reordered CSV) wait by name.
        var run: (name: String, servers: [Server])?
        func settle(_ pending: (name: String, servers: [Server])) {
            pendingServers[pending.name, default: []] += pending.servers
        }

        while index < count {
            if bytes[index] == lf || bytes[index] == cr {
                index += 1
                continue
            }
            let recordStart = index
            cells.reset()
            var position = 0
            // Most records have no quoted cell: one tight loop over them (see `scanPlainRecord`); a record
            // with a quote is read again below by the general loop.
            let plainEnd = scanPlainRecord(
                bytes.baseAddress!, count, recordStart, slotAt.baseAddress!, lastKnownPosition,
                cells.ranges.baseAddress!)
            if plainEnd >= 0 {
                index = plainEnd
            } else {
                cells.reset()
            }
            while plainEnd < 0 {
                let column = position < columnCount ? columnAt[position] : -1
                if index < count, bytes[index] == quote {
                    let start = index
                    index = CSVReader.quotedCell(bytes, from: index, into: &scratch)
                    if column >= 0 {
                        cells.setQuoted(column, text: String(decoding: scratch, as: UTF8.self), start: start, end: index)
                    }
                } else {
                    let start = index
                    while index < count {
                        let byte = bytes[index]
                        // Digits and letters are above every delimiter (`,` is 0x2C): one comparison for most bytes.
                        if byte > comma { index += 1; continue }
                        if byte == comma || byte == lf || byte == cr { break }
                        index += 1
                    }
                    if column >= 0 { cells.set(column, start: start, end: index) }
                }
                position += 1
                guard index < count, bytes[index] == comma else { break }
                index += 1
            }
            let recordEnd = index
            if index < count, bytes[index] == cr { index += 1 }
            if index < count, bytes[index] == lf { index += 1 }

            if bytes[recordStart] == hash { continue }  // a repeated header
            let proxyStart = cells.ranges[2 * StatsColumn.pxname.rawValue]
            guard proxyStart >= 0, let svname = cells.cell(.svname), !svname.isEmpty else {
                table.skippedRows += 1
                continue
            }
            let proxyEnd = cells.ranges[2 * StatsColumn.pxname.rawValue + 1]
            let name: String
            if let last = lastProxy, cells.quoted(.pxname) == nil, last.end - last.start == proxyEnd - proxyStart,
                UnsafeBufferPointer(rebasing: bytes[last.start..<last.end]).elementsEqual(
                    UnsafeBufferPointer(rebasing: bytes[proxyStart..<proxyEnd]))
            {
                name = last.name
            } else {
                name = cells.cell(.pxname) ?? ""
                lastProxy = (proxyStart, proxyEnd, name)
            }
            guard !name.isEmpty else {
                table.skippedRows += 1
                continue
            }
            let row = StatsRow(source: rowSource, range: recordStart..<recordEnd)
            let type: Int?
            if let parsed = cells.int(.type) {
                type = parsed
            } else if svname == "FRONTEND" {
                type = 0
            } else if svname == "BACKEND" {
                type = 1
            } else {
                type = nil
            }
            switch type {
            case 0?:
                table.frontends.append(Frontend(cells: cells, row: row, name: name))
            case 1?:
                var servers: [Server] = []
                if let current = run, current.name == name {
                    servers = current.servers
                    run = nil
                }
                if !pendingServers.isEmpty, let waiting = pendingServers.removeValue(forKey: name) {
                    servers = waiting + servers
                }
                let backend = Backend(cells: cells, row: row, name: name, servers: servers)
                if let existing = backendIndex[name] {
                    var merged = backend
                    merged.servers = table.backends[existing].servers + backend.servers
                    table.backends[existing] = merged
                } else {
                    backendIndex[name] = table.backends.count
                    table.backends.append(backend)
                }
            case 2?:
                let statusRange = cells.plainRange(.status), checkRange = cells.plainRange(.checkStatus)
                let condition: ServerCondition
                if let last = lastCondition, let statusRange, let checkRange,
                    same(bytes, last.status, statusRange), same(bytes, last.check, checkRange)
                {
                    condition = last.condition
                } else {
                    let rawStatus = cells.cell(.status) ?? ""
                    let rawCheck = cells.cell(.checkStatus) ?? ""
                    if let known = conditions[rawStatus]?[rawCheck] {
                        condition = known
                    } else {
                        condition = ServerCondition(status: ServerStatus(rawStatus), check: CheckStatus(rawCheck))
                        if conditionCount < 1_024 {
                            conditions[rawStatus, default: [:]][rawCheck] = condition
                            conditionCount += 1
                        }
                    }
                    if let statusRange, let checkRange {
                        lastCondition = (statusRange, checkRange, condition)
                    } else {
                        lastCondition = nil
                    }
                }
                let server = Server(cells: cells, row: row, backend: name, name: svname, condition: condition)
                if run?.name == name {
                    run!.servers.append(server)
                } else if let index = backendIndex[name] {
                    table.backends[index].servers.append(server)
                } else {
                    if let previous = run { settle(previous) }
                    run = (name, [server])
                }
            case 3?:
                continue  // listeners: not needed by haws
            default:
                table.skippedRows += 1
            }
        }
        if let current = run { settle(current) }
        // Servers whose BACKEND row never came (a truncated CSV): still shown, under a synthetic backend.
        for (name, servers) in pendingServers.sorted(by: { $0.key < $1.key }) {
            table.backends.append(Backend(row: nil, name: name, servers: servers))
        }
        return table
    }

    /// Splits the record at `start` into cells, writing each cell's byte range into `ranges` at the slot
    /// `slotAt` gives its position (`start, end` per column as ``RecordCells`` keeps them); returns the index where the record ends
    /// (its line end, or `count`), or -1 when the record holds a quote, whose cell this does not unescape.
    ///
    /// At 10,000 servers a poll has about 1.3 million cells of 1-2 bytes each, so the cost is per cell, not
    /// per byte, and a byte loop mispredicts a branch at almost every cell's end. The C splitter compares
    /// 16 bytes at once against the delimiters and walks the cells through the resulting bit mask: measured
    /// over a 10,000-server `show stat`, it splits in a fraction of the byte loop's time (see the README).
    @inline(__always)
    static func scanPlainRecord(
        _ bytes: UnsafePointer<UInt8>, _ count: Int, _ start: Int, _ slotAt: UnsafePointer<Int>,
        _ lastKnownPosition: Int, _ ranges: UnsafeMutablePointer<Int>
    ) -> Int {
        haws_scan_plain_record(bytes, count, start, slotAt, lastKnownPosition, ranges)
    }

    /// Whether two byte ranges of the input hold the same bytes.
    private static func same(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.lowerBound, j = b.lowerBound
        while i < a.upperBound {
            guard bytes[i] == bytes[j] else { return false }
            i += 1
            j += 1
        }
        return true
    }
}
