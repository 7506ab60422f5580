import FuzzDriver
import HawsCore

/// `show proc` on the master CLI: the master, current and old workers, programs.
@main
enum ShowProcFuzzer {
    static func main() { runLibFuzzer(showProcFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func showProcFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for entry in ProcListParser.parse(text) {
        _ = (entry.pid, entry.role, entry.isOld, entry.reloads, entry.uptime, entry.version)
    }
    return 0
}
