import FuzzDriver
import HawsCore

/// The stats CSV (`show stat`, the stats page's `;csv`): both entry points (bytes, as the runtime API client
/// reads it; text, as the stats page client does) must agree, and every cell the model keeps as a byte range
/// must read back without leaving the input.
@main
enum StatsCSVFuzzer {
    static func main() { runLibFuzzer(statsCSVFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func statsCSVFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fromBytes = parsed { () throws(StatsCSVError) in try StatsCSVParser.parse(bytes: bytes) }
    if let text = String(validating: bytes, as: UTF8.self) {
        let fromText = parsed { () throws(StatsCSVError) in try StatsCSVParser.parse(text) }
        guard fromText == fromBytes else {
            fatalError("the stats CSV parsed from text and from bytes differ")
        }
        guard CSVReader.records(text) == bytes.withUnsafeBufferPointer({ CSVReader.records(bytes: $0) }) else {
            fatalError("CSVReader.records of text and of bytes differ")
        }
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
        precondition(cells >= 0)
    }
    return 0
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
