import FuzzDriver
import HawsFuzzTargets

/// `fuzz-show-proc`: `FuzzTarget.showProc` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum ShowProcFuzzer {
    static func main() { runLibFuzzer(.showProc) }
}
