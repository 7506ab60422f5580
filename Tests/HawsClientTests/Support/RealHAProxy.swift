import Foundation
import HawsLab
import HawsTestSupport
import NIOConcurrencyHelpers

@testable import HawsClient

/// A real `haproxy -db` (the binary `HAProxyExecutable` finds: `HAWS_HAPROXY`, else Debian's) in a temp dir: an
/// admin and a user `stats socket`, and a stats page with `stats auth admin:pw` on a loopback port. Stopped with SIGKILL and reaped by `stop()`, which is idempotent.
final class RealHAProxy: Sendable {
    /// Whether the tests can run: a binary was found, or `HAWS_HAPROXY` names one (then a wrong path fails the
    /// tests instead of skipping them).
    static var isInstalled: Bool { HAProxyExecutable.find() != nil || HAProxyExecutable.isChosenByEnvironment }

    let directory: TemporaryDirectory
    let statsPort: Int
    let masterSocket: String?
    private let child: NIOLockedValueBox<ChildProcess?>

    var adminSocket: String { directory.file("admin.sock") }
    var userSocket: String { directory.file("user.sock") }
    var logFile: String { directory.file("haproxy.log") }
    var pid: pid_t? { child.withLockedValue { $0?.pid } }

    /// Starts HAProxy and waits (at most `readiness`) until its admin socket answers `show info`.
    ///
    /// - Parameter masterWorker: run as Debian's service does (`-W -S master.sock`).
    init(masterWorker: Bool = false, readiness: Duration = .seconds(10)) async throws {
        directory = try TemporaryDirectory()
        // A reserved port is released just before HAProxy binds it; the window for a collision is tiny.
        statsPort = try ReservedPort().port
        let deadBackendPort = try ReservedPort().port
        let config = """
            global
                stats socket \(directory.file("admin.sock")) mode 600 level admin
                stats socket \(directory.file("user.sock")) mode 600 level user
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            listen stats
                bind 127.0.0.1:\(statsPort)
                stats enable
                stats uri /stats
                stats auth admin:pw
            backend ws_chat
                server s1 127.0.0.1:\(deadBackendPort)

            """
        let configFile = try directory.write("haproxy.cfg", config)
        var arguments = ["-db", "-f", configFile]
        if masterWorker {
            masterSocket = directory.file("master.sock")
            arguments = ["-W", "-S", directory.file("master.sock")] + arguments
        } else {
            masterSocket = nil
        }
        let binary = try HAProxyExecutable.resolve()
        child = NIOLockedValueBox(try ChildProcess.spawn(binary, arguments, logFile: directory.file("haproxy.log")))
        do {
            try await waitUntilReady(within: readiness)
        } catch {
            stop()
            throw error
        }
    }

    /// Ready when the worker's admin socket answers and, in master-worker mode, the master CLI too: the
    /// master's listener can come up after the worker's.
    private func waitUntilReady(within limit: Duration) async throws {
        let client = RuntimeAPIClient(endpoint: .unix(path: adminSocket), timeout: .seconds(1))
        let master = masterSocket.map { RuntimeAPIClient(endpoint: .unix(path: $0), timeout: .seconds(1)) }
        let clock = ContinuousClock()
        let end = clock.now + limit
        var lastError: (any Error)?
        while clock.now < end {
            if let pid, hasExited(pid) {
                throw RealHAProxyError(message: "haproxy exited at start: \(log)")
            }
            do {
                if try await client.send("show info").contains("Pid:"),
                    try await master?.send("show proc").contains("worker") ?? true
                {
                    return
                }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RealHAProxyError(
            message: "haproxy not ready after \(limit): \(String(describing: lastError)); log: \(log)"
        )
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// SIGKILL, as a crash: the socket files stay behind.
    func kill() {
        child.withLockedValue { child in
            child?.killAndReap()
            child = nil
        }
    }

    /// Stops HAProxy if it still runs (a master with SIGTERM, so that it takes its workers along) and removes
    /// its directory.
    func stop() {
        if masterSocket != nil {
            child.withLockedValue { child in
                child?.terminate()
                child = nil
            }
        }
        kill()
        directory.remove()
    }

    private func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            child.withLockedValue { $0 = nil }
            return true
        }
        return false
    }
}

struct RealHAProxyError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
