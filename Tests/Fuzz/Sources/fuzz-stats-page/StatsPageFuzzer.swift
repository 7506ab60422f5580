import FuzzDriver
import HawsFuzzTargets

/// `fuzz-stats-page`: `FuzzTarget.statsPage` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum StatsPageFuzzer {
    static func main() { runLibFuzzer(.statsPage) }
}
