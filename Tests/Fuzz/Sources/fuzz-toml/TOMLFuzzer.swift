import FuzzDriver
import HawsFuzzTargets

/// `fuzz-toml`: `FuzzTarget.toml` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum TOMLFuzzer {
    static func main() { runLibFuzzer(.toml) }
}
