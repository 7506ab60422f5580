import FuzzDriver
import HawsFuzzTargets

/// `fuzz-stats-csv`: `FuzzTarget.statsCSV` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum StatsCSVFuzzer {
    static func main() { runLibFuzzer(.statsCSV) }
}
