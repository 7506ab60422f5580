import Foundation
import HawsTestSupport
import Testing

/// Walks every value-taking option of every command with bad values and bad paths: each run must end with a
/// short error on stderr and exit 3 (UNKNOWN / bad arguments), never a signal or a stack trace.
@Suite struct CLIBadInputSweepTests {
    /// Options that take a value, per command (flags without a value cannot be given a bad one).
    static let options: [String: [String]] = [
        "status": ["--timeout", "--down", "--drain", "--maint", "--no-server-up", "--sessions-warning",
                   "--sessions-critical", "--probe-failure", "--probe-frontend"],
        "top": ["--timeout", "--interval", "--tunnels-interval", "--drain-deadline", "--probe-interval",
                "--probe-frontend"],
        "agent": ["--timeout", "--interval", "--sessions-interval", "--prometheus", "--max-server-series",
                  "--max-probe-series", "--rotate-size", "--probe-interval", "--probe-frontend"],
        "drain": ["--timeout", "--timeout-wait", "--interval"],
        "probe": ["--timeout", "--count", "--concurrency", "--mode", "--header", "--expect"],
        "demo": ["--duration", "--interval"],
    ]
    /// Options that take a path.
    static let pathOptions: [String: [String]] = [
        "status": ["--config", "--stats-password-file", "--stats-ca-file"],
        "top": ["--config", "--stats-ca-file"],
        "agent": ["--config"],
        "drain": ["--config"],
        "probe": ["--ca-file", "--cert", "--key"],
    ]
    /// What a path option needs besides itself, so that only the path is wrong (`file`: a readable regular file;
    /// every file is checked before any is parsed).
    static func companions(_ option: String, file: String) -> [String] {
        switch option {
        case "--stats-password-file": ["--stats-url", "http://127.0.0.1:1/stats"]
        case "--stats-ca-file": ["--stats-url", "https://127.0.0.1:1/stats"]
        case "--cert": ["--key", file]
        case "--key": ["--cert", file]
        default: []
        }
    }
    static let badValues = ["", "0", "-1", "99999999999999999999999", "garbage", "1e999", "\u{FFFD}\u{00FF}\u{0001}", "0s"]

    /// What every command needs besides the option under test, so that only that option is wrong.
    static func base(_ command: String) -> [String] {
        switch command {
        case "drain": return ["drain", "ws_chat/s1", "--socket", "/nonexistent/haws-sweep.sock", "--wait"]
        case "probe": return ["probe", "ws://127.0.0.1:1/chat"]
        case "top": return ["top", "--socket", "/nonexistent/haws-sweep.sock", "--read-only"]
        default: return [command, "--socket", "/nonexistent/haws-sweep.sock"]
        }
    }

    static func expectShortErrorAndExitThree(_ arguments: [String]) async throws {
        let output = try await Haws.run(arguments)
        #expect(output.code == 3, "\(arguments) exited \(output.code): \(output.stderr.prefix(300))")
        let lines = output.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && lines.count <= 3, "\(arguments): stderr \(output.stderr.prefix(300))")
        #expect(!output.stderr.contains("Fatal error") && !output.stderr.contains("Stack dump"), "\(arguments)")
        #expect(lines.allSatisfy { $0.count < 400 }, "\(arguments): \(output.stderr.prefix(300))")
    }

    @Test(arguments: ["status", "top", "agent", "drain", "probe", "demo"])
    func badValues(command: String) async throws {
        for option in Self.options[command] ?? [] {
            for value in Self.badValues {
                // Values some options accept: skip only those combinations (they are not bad input there).
                if option == "--drain-deadline", value == "0" || value == "0s" { continue }
                if option == "--prometheus", value == "0" { continue }  // port 0: any free port, a valid choice
                if ["--sessions-warning", "--sessions-critical"].contains(option), value == "0" { continue }
                if ["--max-server-series", "--max-probe-series"].contains(option), value == "0" { continue }
                if option == "--expect" || option == "--header", value == "0" || value == "-1" || value == "0s" { continue }
                try await Self.expectShortErrorAndExitThree(Self.base(command) + ["\(option)=\(value)"])
            }
        }
    }

    @Test func badPaths() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let directory = temporary.path
        let unreadable = directory + "/unreadable"
        try "x".write(toFile: unreadable, atomically: true, encoding: .utf8)
        chmod(unreadable, 0)
        let fifo = directory + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let notUTF8 = directory + "/latin1.toml"
        _ = FileManager.default.createFile(atPath: notUTF8, contents: Data([0x5B, 0xE9, 0xFF, 0x5D, 0x0A]))
        // Root reads files whatever their mode: an unreadable file is only unreadable for other users.
        var paths = [directory + "/missing", directory, fifo, notUTF8]
        if getuid() != 0 { paths.append(unreadable) }
        for (command, options) in Self.pathOptions {
            for option in options {
                for path in paths {
                    try await Self.expectShortErrorAndExitThree(Self.base(command) + [option, path] + Self.companions(option, file: notUTF8))
                }
            }
        }
    }
}
