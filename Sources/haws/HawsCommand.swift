import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct HawsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haws",
        abstract: "Stats and health monitor for HAProxy in front of WebSocket backends.",
        discussion: """
            Reads HAProxy's runtime API (--socket, --master-socket) and stats page (--stats-url). With no \
            instance option, reads Debian's default socket /run/haproxy/admin.sock.
            """,
        version: HawsVersion.current,
        subcommands: [StatusCommand.self, TopCommand.self, AgentCommand.self, DrainCommand.self, ProbeCommand.self, DoctorCommand.self, DemoCommand.self, LabLoadCommand.self]
    )

    /// Nagios-compatible exits for every subcommand: bad arguments and unexpected errors are UNKNOWN
    /// (3) with one line on stderr (the message, not the usage text: at 3 a.m. the line that says what is wrong
    /// must be the one a pager or a log shows); `--help` and `--version` exit 0.
    static func main() async {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            terminateProcess(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            StandardError.write("haws: \(oneLine(message(for: error)))\n")
            terminateProcess(3)
        }
    }
}

/// The first non-empty line of an error message, without ArgumentParser's `Error: ` prefix.
func oneLine(_ message: String) -> String {
    let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
    let trimmed = line.trimmingWhitespace()
    return trimmed.hasPrefix("Error: ") ? String(trimmed.dropFirst("Error: ".count)) : trimmed
}

enum HawsVersion {
    static let current = "0.1.0"
}

/// The C library's `exit`, callable inside commands, where `exit` names ArgumentParser's static method.
func terminateProcess(_ code: Int32) -> Never { exit(code) }
