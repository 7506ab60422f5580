import FuzzDriver
import HawsFuzzTargets

/// `fuzz-show-sess`: `FuzzTarget.showSess` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum ShowSessFuzzer {
    static func main() { runLibFuzzer(.showSess) }
}
