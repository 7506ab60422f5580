import FuzzDriver
import HawsFuzzTargets

/// `fuzz-response-head`: `FuzzTarget.responseHead` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum ResponseHeadFuzzer {
    static func main() { runLibFuzzer(.responseHead) }
}
