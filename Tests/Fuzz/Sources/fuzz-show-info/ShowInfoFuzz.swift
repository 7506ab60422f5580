import FuzzDriver
import HawsCore

/// `show info`: every line is `Name: value`, but a garbled answer must still give a model, never a trap.
@main
enum ShowInfoFuzzer {
    static func main() { runLibFuzzer(showInfoFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func showInfoFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let info = InfoParser.parse(text)
    _ = (info.pid, info.version, info.uptimeSeconds, info.currentConnections, info.maxConnections)
    return 0
}
