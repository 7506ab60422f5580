import FuzzDriver
import HawsFuzzTargets

/// `fuzz-servers-state`: `FuzzTarget.serversState` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum ServersStateFuzzer {
    static func main() { runLibFuzzer(.serversState) }
}
