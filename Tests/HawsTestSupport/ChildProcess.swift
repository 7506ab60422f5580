import Foundation

/// A child process started with `posix_spawn`: Foundation's `Process` can hang under Swift Testing's
/// parallel runner, and the tests need only start a command and reap it (HAProxy itself runs under the lab's
/// `HAProxyProcess`).
public struct ChildProcess: Sendable {
    public let pid: pid_t

    /// Starts `path` with `arguments`, stdin from /dev/null, stdout and stderr appended to `logFile`.
    public static func spawn(_ path: String, _ arguments: [String], logFile: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer {
            for argument in argv { free(argument) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        return ChildProcess(pid: pid)
    }

    /// Runs a command to completion; returns its exit status and output.
    public static func run(_ path: String, _ arguments: [String], in directory: TemporaryDirectory) throws -> (Int32, String) {
        let log = directory.file("run-\(UUID().uuidString).log")
        let child = try spawn(path, arguments, logFile: log)
        let status = child.waitForExit()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Blocks until the child exits (reaps it); its exit code, or 128 + signal.
    @discardableResult
    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
