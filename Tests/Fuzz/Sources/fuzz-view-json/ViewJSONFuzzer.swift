import FuzzDriver
import HawsFuzzTargets

/// `fuzz-view-json`: `FuzzTarget.viewJSON` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum ViewJSONFuzzer {
    static func main() { runLibFuzzer(.viewJSON) }
}
