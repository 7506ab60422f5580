import HawsCore

extension FuzzTarget {
    /// The stats CSV (`show stat`, the stats page's `;csv`): both entry points (bytes, as the runtime API client
    /// reads it; text, as the stats page client does) must agree, and every cell the model keeps as a byte range
    /// must read back without leaving the input.
    public static let statsCSV = FuzzTarget(name: "stats-csv") { (input) throws(FuzzViolation) in
        let bytes = Array(input)
        let fromBytes = parsed { () throws(StatsCSVError) in try StatsCSVParser.parse(bytes: bytes) }
        if let text = String(validating: bytes, as: UTF8.self) {
            let fromText = parsed { () throws(StatsCSVError) in try StatsCSVParser.parse(text) }
            try require(fromText == fromBytes, "the stats CSV parsed from text and from bytes differ")
            try require(
                CSVReader.records(text) == bytes.withUnsafeBufferPointer({ CSVReader.records(bytes: $0) }),
                "CSVReader.records of text and of bytes differ")
        }
        if case .success(let table) = fromBytes {
            var cells = 0
            for frontend in table.frontends { cells += read(frontend.row) }
            for backend in table.backends {
                _ = TunnelCounter.openTunnels(of: backend)
                for server in backend.servers {
                    cells += read(server.row)
                    _ = (server.status, server.check, server.checkDurationMs, server.queueLimit, server.maxSessions)
                }
            }
            try require(cells >= 0, "a negative cell count")
        }
    }
}

private func parsed(_ body: () throws(StatsCSVError) -> StatsTable) -> Result<StatsTable, StatsCSVError> {
    do throws(StatsCSVError) {
        return .success(try body())
    } catch {
        return .failure(error)
    }
}

/// Reads every cell of a row.
private func read(_ row: StatsRow) -> Int {
    row.values.reduce(0) { $0 + $1.utf8.count }
}
