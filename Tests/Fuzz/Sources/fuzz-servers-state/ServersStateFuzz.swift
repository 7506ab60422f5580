import FuzzDriver
import HawsCore

/// `show servers state`: a version line, a `#` header naming the columns, then one row per server.
@main
enum ServersStateFuzzer {
    static func main() { runLibFuzzer(serversStateFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func serversStateFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let result = ServersStateParser.parse(text)
    precondition(result.skippedRows >= 0)
    for record in result.records {
        _ = (record.key, record.adminState, record.endpoint, record.fields.count)
    }
    return 0
}
