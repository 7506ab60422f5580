import FuzzDriver
import HawsFuzzTargets

/// `fuzz-show-info`: `FuzzTarget.showInfo` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum ShowInfoFuzzer {
    static func main() { runLibFuzzer(.showInfo) }
}
