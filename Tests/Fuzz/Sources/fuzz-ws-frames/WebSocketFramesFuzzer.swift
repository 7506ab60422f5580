import FuzzDriver
import HawsFuzzTargets

/// `fuzz-ws-frames`: `FuzzTarget.webSocketFrames` (Tests/HawsFuzzTargets) under libFuzzer.
@main
enum WebSocketFramesFuzzer {
    static func main() { runLibFuzzer(.webSocketFrames) }
}
