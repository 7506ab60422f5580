import FuzzDriver
import HawsFuzzTargets

/// `fuzz-runtime-answer`: `FuzzTarget.runtimeAnswer` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum RuntimeAnswerFuzzer {
    static func main() { runLibFuzzer(.runtimeAnswer) }
}
