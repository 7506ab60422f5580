import FuzzDriver
@testable import HawsConfig

/// `haws.toml`: the TOML reader, then the config file's checks of sections, keys, types and values.
@main
enum TOMLFuzzer {
    static func main() { runLibFuzzer(tomlFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func tomlFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parsed = try? TOMLParser.parse(text)
    do {
        _ = try HawsConfigFile(parsing: text, file: "fuzz.toml")
        precondition(parsed != nil, "a config file accepted whose TOML did not parse")
    } catch {
        precondition(!error.description.isEmpty, "an empty config file error")
    }
    return 0
}
