import FuzzDriver
import HawsCore

/// `show sess` and `show sess all`: stream records, their ages (HAProxy's human durations) and the per-server
/// tunnel tally built from them.
@main
enum ShowSessFuzzer {
    static func main() { runLibFuzzer(showSessFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func showSessFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let streams = SessionListParser.parse(text)
    for stream in streams {
        _ = (stream.isTunnel, stream.serverKey)
        if let age = stream.ageSeconds { precondition(age >= 0, "a negative stream age") }
    }
    let tallies = TunnelCounter.perServer(streams)
    precondition(tallies.values.reduce(0) { $0 + $1.count } <= streams.count, "more tunnels than streams")
    for token in text.split(separator: " ").prefix(64) { _ = HumanDuration.seconds(String(token)) }
    return 0
}
