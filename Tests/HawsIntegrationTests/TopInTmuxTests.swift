import Foundation
import HawsCore
import HawsLab
import HawsTestSupport
import Subprocess
import Testing

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A private tmux server (its own `-L` socket) running one command in a pane of a given size.
///
/// Driven with swift-subprocess: Foundation's `Process` hung with `tmux new-session -d` under Swift
/// Testing and passed a signal mask that blocked SIGWINCH (see shared/notes/swift-ncurses.md).
struct TmuxPane {
    let server: String

    /// - Parameter then: shell commands to run in the pane after `command` exits (the pane then
    ///   stays alive with a shell; without it, `command` replaces the shell).
    static func start(_ command: [String], columns: Int, rows: Int, environment: [String: String], then: String? = nil)
        async throws -> TmuxPane
    {
        let pane = TmuxPane(server: "haws-top-\(UUID().uuidString.prefix(8))")
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        // `swift test` runs with NO_COLOR=1; the pane gets it only when the test asks for it.
        let unset = environment["NO_COLOR"] == nil ? ["-u", "NO_COLOR"] : []
        var line = ((then == nil ? ["exec", "env"] : ["env"]) + unset + assignments + command).map(Self.quoted)
            .joined(separator: " ")
        if let then { line += "; " + then }
        try await pane.tmux([
            "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "\(columns)", "-y", "\(rows)", line,
            ";", "set-option", "-t", "t", "remain-on-exit", "on",
        ])
        return pane
    }

    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        let result = try await Subprocess.run(
            .name("tmux"), arguments: Arguments(["-L", server] + arguments),
            environment: .inherit.updating(["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 16))
        guard case .exited(0) = result.terminationStatus else {
            throw LabTestError("tmux \(arguments.prefix(3).joined(separator: " ")) failed: \(result.standardError)")
        }
        return result.standardOutput
    }

    func screen() async throws -> String { try await tmux(["capture-pane", "-p", "-t", "t"]) }
    func keys(_ keys: String...) async throws { try await tmux(["send-keys", "-t", "t"] + keys) }
    func type(_ text: String) async throws { try await tmux(["send-keys", "-t", "t", "-l", text]) }
    func resize(columns: Int, rows: Int) async throws {
        try await tmux(["resize-window", "-t", "t", "-x", "\(columns)", "-y", "\(rows)"])
    }
    func format(_ format: String) async throws -> String {
        try await tmux(["display-message", "-p", "-t", "t", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls the screen until `condition` holds; returns whether it did and the last screen.
    func waitFor(_ timeout: Duration = .seconds(10), _ condition: (String) -> Bool) async throws -> (Bool, String) {
        var last = ""
        let matched = try await eventually(timeout: timeout, interval: .milliseconds(50)) {
            last = try await screen()
            return condition(last)
        }
        return (matched, last)
    }

    func kill() async { _ = try? await tmux(["kill-server"]) }
}

/// `haws top` in a real terminal (tmux) against a real HAProxy from HawsLab.
@Suite(.serialized) struct TopInTmuxTests {
    static let environment = [
        "TERM": "tmux-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "SWIFT_BACKTRACE": "enable=no",
    ]

    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    var auditLog: String { directory.file("audit.log") }

    func top(socket: String, _ extra: [String] = [], columns: Int = 120, rows: Int = 40, then: String? = nil)
        async throws -> TmuxPane
    {
        let arguments = [
            Haws.binary, "top", "--socket", socket, "--interval", "500ms", "--tunnels-interval", "1s", "--timeout",
            "2s",
            "--audit-log", auditLog, "--views-dir", directory.file("no-views"),
        ]
        return try await TmuxPane.start(
            arguments + extra, columns: columns, rows: rows, environment: Self.environment, then: then)
    }

    /// The child process of `parent` (the haws started by the pane's shell), from /proc.
    static func child(of parent: Int32) -> Int32? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == parent { return pid }
        }
        return nil
    }

    /// Runs `body` with a fresh lab and a tmux pane, cleaning both up whatever happens.
    func withLab(_ body: (Lab) async throws -> Void) async throws {
        let lab = try await Lab.start(.demo)
        do {
            try await body(lab)
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    // MARK: - Reading the screen

    static func lines(_ screen: String) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The line of a backend (`▾ ws_chat`) or of a server (`├ s1` / `└ s1`).
    static func line(_ screen: String, backend: String? = nil, server: String? = nil) -> String? {
        lines(screen).first { line in
            if let server {
                let trimmed = line.drop { $0 == " " || $0 == "●" }
                return trimmed.hasPrefix("├ \(server) ") || trimmed.hasPrefix("└ \(server) ")
            }
            return line.hasPrefix("▾ \(backend ?? "") ") || line.hasPrefix("▸ \(backend ?? "") ")
        }
    }

    /// The value of a right-aligned column (by its title in the header line) on `line`.
    static func cell(_ screen: String, _ line: String?, column title: String) -> String? {
        guard let line, let header = lines(screen).first(where: { $0.hasPrefix("BACKEND/SERVER") }),
            let range = header.range(of: title)
        else { return nil }
        let end = header.distance(from: header.startIndex, to: range.upperBound)
        let characters = Array(line)
        guard characters.count >= end else { return nil }
        return String(characters[..<end]).split(separator: " ").last.map(String.init)
    }

    func tunnels(_ screen: String, backend: String? = nil, server: String? = nil) -> Int? {
        Self.cell(screen, Self.line(screen, backend: backend, server: server), column: "TUNNELS").flatMap { Int($0) }
    }

    func auditLines() -> [String] {
        ((try? String(contentsOfFile: auditLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    // MARK: - Tests

    /// Backends and servers with the right tunnel counts; `/` narrows the rows; a resize below the
    /// minimum and back leaves a correct screen.
    @Test func showsTunnelsFiltersAndSurvivesResize() async throws {
        try await withLab { lab in
            let pool = lab.clients()
            _ = try await pool.open(count: 6, path: "/chat")
            let pane = try await top(socket: try #require(lab.adminSocketPath))
            do {
                let (counted, screen) = try await pane.waitFor(.seconds(15)) { screen in
                    guard tunnels(screen, backend: "ws_chat") == 6, Self.line(screen, backend: "ws_feed") != nil,
                        Self.line(screen, backend: "http_api") != nil
                    else { return false }
                    return ["s1", "s2", "s3"].allSatisfy {
                        tunnels(screen, server: $0) == lab.server("ws_chat", $0)?.openWebSockets
                    }
                }
                #expect(counted, "\(screen)")
                #expect(Self.lines(screen)[1].contains("tunnels 6"), "\(screen)")

                try await pane.keys("/")
                try await pane.type("s1")
                try await pane.keys("Enter")
                let (filtered, narrowed) = try await pane.waitFor { screen in
                    Self.line(screen, server: "s1") != nil && Self.line(screen, server: "s2") == nil
                        && Self.line(screen, backend: "ws_feed") == nil && screen.contains("filter: s1")
                }
                #expect(filtered, "\(narrowed)")
                try await pane.keys("/", "C-u", "Enter")
                let (cleared, _) = try await pane.waitFor {
                    Self.line($0, server: "s2") != nil && Self.line($0, backend: "http_api") != nil
                }
                #expect(cleared)

                try await pane.resize(columns: 60, rows: 15)
                let (small, tooSmall) = try await pane.waitFor {
                    $0.contains("needs at least 80x24") && $0.contains("60x15")
                }
                #expect(small, "\(tooSmall)")
                try await pane.resize(columns: 120, rows: 40)
                let (restored, back) = try await pane.waitFor { screen in
                    Self.lines(screen)[0].hasPrefix(" haws top") && tunnels(screen, backend: "ws_chat") == 6
                        && !screen.contains("needs at least")
                }
                #expect(restored, "\(back)")
                #expect(Self.lines(back).count >= 40 && Self.lines(back)[2].hasPrefix("BACKEND/SERVER"))
                try await pane.keys("q")
                let exited = try await eventually(timeout: .seconds(5)) { try await pane.format("#{pane_dead}") == "1" }
                #expect(exited)
                #expect(try await pane.format("#{alternate_on}") == "0")
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }

    /// `D` lists the doctor's findings: from a generated config (the lab's, without `timeout tunnel` and with a
    /// backend that does not run) and from the live instance (that backend is missing from it; a server HAProxy
    /// calls UP refuses the upgrade, found by top's own probes).
    @Test func doctorOverlayShowsConfigAndLiveFindings() async throws {
        let spec = LabSpec.chatAndRefusingFeed
        let lab = try await Lab.start(spec)
        let path = directory.file("haproxy.cfg")
        do {
            try await lab.waitForStatus("ws_feed", "f1") { $0 == "UP" }
            let running = try String(contentsOfFile: lab.haproxy.configPath, encoding: .utf8)
            #expect(running.contains("timeout tunnel"), "the lab's own config sets it: the finding below is the edit's")
            let edited = running.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("timeout tunnel") }.joined(separator: "\n")
            try (edited + "\nbackend ws_gone\n    server g1 127.0.0.1:9\n").write(toFile: path, atomically: true, encoding: .utf8)

            let pane = try await top(
                socket: try #require(lab.adminSocketPath), ["--doctor-config", path, "--probe-interval", "1s"],
                columns: 160, rows: 60)
            do {
                let (polled, table) = try await pane.waitFor(.seconds(15)) { Self.line($0, backend: "ws_feed") != nil }
                #expect(polled, "\(table)")
                try await pane.keys("D")
                // Worst first: the missing timeout and the probes (critical) on the first page.
                let (found, screen) = try await pane.waitFor(.seconds(20)) { screen in
                    screen.contains("timeout-tunnel-missing") && screen.contains("probe-failed-while-up")
                }
                #expect(found, "\(screen)")
                let lines = Self.lines(screen)
                #expect(lines.contains { $0.contains("haws doctor: CRITICAL") }, "\(screen)")
                #expect(lines.contains { $0.contains("config: \(path)") && $0.contains("live: ") })
                #expect(lines.contains { $0.contains("CRITICAL timeout-tunnel-missing  \(path):") }, "\(screen)")
                #expect(lines.contains { $0.contains("fix: ") && $0.contains("timeout tunnel 1h") })
                let critical = lines.firstIndex { $0.contains("CRITICAL ") } ?? Int.max
                let warning = lines.firstIndex { $0.contains("WARNING ") } ?? -1
                #expect(critical < warning, "\(screen)")
                // The rest is a scroll away: the file's backend that does not run, the UP server that cannot upgrade.
                try await pane.keys("G")
                let (bottom, last) = try await pane.waitFor(.seconds(10)) { screen in
                    screen.contains("backend ws_gone is in the file but not in the running instance")
                }
                #expect(bottom, "\(last)")
                let all = try await pane.waitFor(.seconds(1)) { _ in true }.1 + screen
                #expect(all.contains("ws_feed/f1 is UP for HAProxy but a WebSocket handshake fails"), "\(all)")

                try await pane.keys("Escape")
                let (closed, back) = try await pane.waitFor { !$0.contains("timeout-tunnel-missing") && Self.line($0, backend: "ws_chat") != nil }
                #expect(closed, "\(back)")
                try await pane.keys("q")
                let exited = try await eventually(timeout: .seconds(5)) { try await pane.format("#{pane_dead}") == "1" }
                #expect(exited)
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    /// `d` + `y` drains the server in HAProxy and writes the audit line; with "MAINT at 0" the
    /// server goes to MAINT once its clients have gone.
    @Test func drainToZeroWithAutoMaint() async throws {
        try await withLab { lab in
            let pool = lab.clients()
            _ = try await pool.open(count: 6, path: "/chat")
            let pane = try await top(socket: try #require(lab.adminSocketPath))
            do {
                let (ready, screen) = try await pane.waitFor(.seconds(15)) { tunnels($0, backend: "ws_chat") == 6 }
                #expect(ready, "\(screen)")
                // A backend counts a WebSocket only after its 101 has been written, so the client
                // (and HAProxy) can see the tunnel first: wait until the backends agree.
                let settled = await eventually { lab.openWebSockets(backend: "ws_chat") == 6 }
                #expect(settled, "backends hold \(lab.openWebSockets(backend: "ws_chat")) of 6 WebSockets")
                let held = lab.server("ws_chat", "s1")?.openWebSockets ?? 0
                #expect(held > 0, "round robin gave s1 no client: the drain would be trivial")
                try await pane.keys("g", "j", "d")
                let (dialog, shown) = try await pane.waitFor { $0.contains("set server ws_chat/s1 state drain") }
                #expect(dialog, "\(shown)")
                #expect(shown.contains("Confirm: drain 1 server"))
                try await pane.keys("a")
                _ = try await pane.waitFor { $0.contains("reach 0: yes") }
                try await pane.keys("y")

                let status = try await lab.waitForStatus("ws_chat", "s1") { $0.hasPrefix("DRAIN") }
                #expect(status.hasPrefix("DRAIN"))
                let audited = await eventually {
                    auditLines().contains {
                        $0.contains(#""command":"set server ws_chat/s1 state drain""#)
                            && $0.contains(#""result":"took effect""#)
                    }
                }
                #expect(audited, "\(auditLines())")
                let line = try #require(auditLines().first)
                #expect(
                    line.contains(#""state_before":"UP""#) && line.contains(#""state_after":"DRAIN""#)
                        && line.contains(#""user":"#))
                let (progress, drainScreen) = try await pane.waitFor {
                    $0.contains("DRAIN ws_chat/s1 \(held) tunnels now, \(held) at start")
                }
                #expect(progress, "s1 held \(held) at the drain: \(drainScreen)")

                for connection in await pool.openConnections where connection.serverName == "s1" {
                    await connection.close()
                }
                let maint = try await lab.waitForStatus("ws_chat", "s1", timeout: .seconds(15)) {
                    $0.hasPrefix("MAINT")
                }
                #expect(maint.hasPrefix("MAINT"))
                let autoMaint = await eventually {
                    auditLines().contains {
                        $0.contains(#""command":"set server ws_chat/s1 state maint""#)
                            && $0.contains("auto-maint at zero tunnels")
                    }
                }
                #expect(autoMaint, "\(auditLines())")
                let (shows, final) = try await pane.waitFor { Self.line($0, server: "s1")?.contains("MAINT") == true }
                #expect(shows, "\(final)")
                // The other servers were not touched.
                #expect(try await lab.stats().row("ws_chat", "s2")?.status.hasPrefix("UP") == true)
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }

    /// On a `level user` socket the header says READ-ONLY and an action is refused with a message.
    @Test func userLevelSocketRefusesActions() async throws {
        try await withLab { lab in
            let pane = try await top(socket: try #require(lab.userSocketPath))
            do {
                let (readOnly, screen) = try await pane.waitFor {
                    Self.lines($0)[0].contains("READ-ONLY") && Self.line($0, server: "s1") != nil
                }
                #expect(readOnly, "\(screen)")
                try await pane.keys("g", "j", "d")
                let (refused, refusal) = try await pane.waitFor {
                    $0.contains("READ-ONLY: refusing to drain ws_chat/s1")
                }
                #expect(refused, "\(refusal)")
                #expect(!refusal.contains("Confirm:"))
                #expect(try await lab.stats().row("ws_chat", "s1")?.status.hasPrefix("UP") == true)
                #expect(auditLines().isEmpty)
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }

    /// HAProxy killed under the dashboard: the header says unreachable, keys still answer at once.
    @Test func killedHAProxyShowsUnreachableAndKeysRespond() async throws {
        try await withLab { lab in
            let pane = try await top(socket: try #require(lab.adminSocketPath))
            do {
                let (up, screen) = try await pane.waitFor { Self.line($0, backend: "ws_chat") != nil }
                #expect(up, "\(screen)")
                await lab.haproxy.kill()
                let (down, lost) = try await pane.waitFor { Self.lines($0)[1].contains("unreachable") }
                #expect(down, "\(lost)")
                #expect(Self.line(lost, backend: "ws_chat") != nil, "the last data stays on screen")
                let clock = ContinuousClock()
                let pressed = clock.now
                try await pane.keys("?")
                let (help, helpScreen) = try await pane.waitFor(.seconds(3)) { $0.contains("haws top help") }
                #expect(help, "\(helpScreen)")
                let answered = clock.now - pressed
                print("TopInTmuxTests: help shown \(answered) after the key, HAProxy dead")
                #expect(answered < .seconds(1))
                try await pane.keys("q")
                try await pane.keys("q")
                let exited = try await eventually(timeout: .seconds(5)) { try await pane.format("#{pane_dead}") == "1" }
                #expect(exited)
                #expect(try await pane.format("#{alternate_on}") == "0")
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }

    /// 256 colours, 8 colours, and none with NO_COLOR; UTF-8 box drawing, ASCII in the C locale.
    @Test func colourAndCharacterSetFollowTheTerminal() async throws {
        let missing = directory.file("missing.sock")
        let cases: [(environment: [String: String], check: (String) -> Bool, what: String)] = [
            (["TERM": "tmux-256color"], { $0.contains("\u{1B}[38;5;") && $0.contains("✖") }, "256 colours, UTF-8"),
            (["TERM": "screen"], { !$0.contains("\u{1B}[38;5;") && $0.contains("\u{1B}[31m") }, "8 colours"),
            (
                ["TERM": "tmux-256color", "NO_COLOR": "1", "LANG": "C", "LC_ALL": "C"],
                { screen in
                    !screen.contains("\u{1B}[38;5;") && !screen.contains("\u{1B}[31m")
                        && screen.unicodeScalars.allSatisfy { $0.isASCII }
                }, "no colour, ASCII"
            ),
        ]
        for item in cases {
            var environment = Self.environment
            environment.merge(item.environment) { $1 }
            let arguments = [Haws.binary, "top", "--socket", missing, "--interval", "500ms", "--audit-log", auditLog]
            let pane = try await TmuxPane.start(arguments, columns: 100, rows: 30, environment: environment)
            do {
                _ = try await pane.waitFor { $0.contains("unreachable") }
                let styled = try await pane.tmux(["capture-pane", "-p", "-e", "-t", "t"])
                #expect(
                    styled.contains("unreachable") && item.check(styled),
                    "\(item.what): \(styled.debugDescription.prefix(600))")
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
    }

    /// A socket that accepts and never answers: keys answer at once; SIGTERM and a crash both
    /// leave the terminal restored: off the alternate screen, cursor visible, and the shell that
    /// runs next finds the terminal in its normal modes (canonical input, echo).
    @Test func hangingSocketSignalsAndCrashesRestoreTheTerminal() async throws {
        let path = directory.file("hang.sock")
        let listener = try HangingSocket(path: path)
        defer { listener.close() }
        for signal in [SIGTERM, SIGSEGV] {
            let modes = directory.file("stty-\(signal).txt")
            let pane = try await top(
                socket: path, ["--timeout", "30s"], columns: 100, rows: 30, then: "stty -a > '\(modes)'; sleep 60")
            do {
                let (started, screen) = try await pane.waitFor { $0.contains(" haws top") && $0.contains("waiting") }
                #expect(started, "\(screen)")
                let clock = ContinuousClock()
                let pressed = clock.now
                try await pane.keys("?")
                let (help, helpScreen) = try await pane.waitFor(.seconds(3)) { $0.contains("haws top help") }
                #expect(help, "\(helpScreen)")
                let answered = clock.now - pressed
                print("TopInTmuxTests: help shown \(answered) after the key, socket hanging")
                #expect(answered < .seconds(1))
                #expect(try await pane.format("#{alternate_on}") == "1")
                let shell = try #require(Int32(try await pane.format("#{pane_pid}")))
                let haws = try #require(Self.child(of: shell), "no haws under the pane's shell \(shell)")
                _ = Glibc.kill(haws, signal)
                let exited = await eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: modes) }
                #expect(exited, "signal \(signal): the shell did not get the terminal back")
                #expect(
                    try await pane.format("#{alternate_on}") == "0", "signal \(signal): still on the alternate screen")
                #expect(try await pane.format("#{cursor_flag}") == "1", "signal \(signal): cursor hidden")
                let stty = (try? String(contentsOfFile: modes, encoding: .utf8)) ?? ""
                let flags = Set(stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
                #expect(
                    flags.contains("icanon") && flags.contains("echo"), "signal \(signal): terminal left raw: \(stty)")
                if signal == SIGSEGV {
                    #expect(try await pane.screen().contains("haws top: crashed; the terminal was restored"))
                }
            } catch {
                await pane.kill()
                throw error
            }
            await pane.kill()
        }
        directory.remove()
    }
}

/// A Unix socket that accepts connections into its backlog and never answers: a hung HAProxy.
final class HangingSocket: Sendable {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw LabTestError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw LabTestError("cannot listen on \(path): errno \(errno)") }
    }

    func close() { _ = Glibc.close(fd) }
}
