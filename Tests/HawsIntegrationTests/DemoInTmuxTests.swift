import Foundation
import Testing

/// `make demo`'s promise, end to end: on a terminal `haws demo` opens `haws top` on its own lab, and
/// quitting the dashboard stops everything the demo started.
@Suite(.serialized) struct DemoInTmuxTests {
    @Test func demoOpensTheDashboardAndQuitStopsTheLab() async throws {
        let pane = try await TmuxPane.start(
            [Haws.binary, "demo"], columns: 140, rows: 40, environment: ["TERM": "xterm-256color"],
            then: "echo DEMO-EXITED $?")
        defer { Task { await pane.kill() } }
        let (shown, screen) = try await pane.waitFor(.seconds(30)) {
            $0.contains("haws top") && $0.contains("ws_chat") && $0.contains("ws_feed") && $0.contains("reachable")
        }
        #expect(shown, "\(screen)")
        try await pane.keys("q")
        let (exited, after) = try await pane.waitFor(.seconds(20)) { $0.contains("DEMO-EXITED") }
        #expect(exited, "\(after)")
        #expect(after.contains("haws demo: stopped the lab"))
        #expect(after.contains("DEMO-EXITED 0"))
        let pid = after.split(separator: "\n").first { $0.contains("haws demo: HAProxy pid") }
            .flatMap { $0.split(separator: " ").dropFirst(4).first }.flatMap { Int32($0) }
        if let pid { #expect(kill(pid, 0) != 0 || isZombie(pid), "HAProxy \(pid) still runs") }
        await pane.kill()
    }

    /// This machine's PID 1 may not reap orphans: a dead HAProxy can linger as a zombie.
    func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}
