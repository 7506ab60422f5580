import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A long-lived child launched with swift-subprocess, whose `run` keeps going in a task until the child exits.
///
/// swift-subprocess reaps the child itself (pidfd on Linux) once it exits; `hasExited` turns true only after that,
/// so signals are sent only to a pid that is still ours. The pid is registered in `ChildProcessRegistry` while
/// alive, so a crashed test run does not leave it behind.
final class RunningChild: Sendable {
    let pid: Int32
    private let exited: TimeoutFlag
    private let task: Task<String, Never>

    private init(pid: Int32, exited: TimeoutFlag, task: Task<String, Never>) {
        self.pid = pid
        self.exited = exited
        self.task = task
    }

    /// True once the child has exited and been reaped.
    var hasExited: Bool { self.exited.isSet }

    /// How the child ended (a description of the termination status or launch error); waits until then.
    var exitDescription: String {
        get async { await self.task.value }
    }

    /// Spawns `executable` with stdout and stderr appended to `log` (closed in the parent after spawning).
    static func launch(executable: String, arguments: [String], log: FileDescriptor) async throws -> RunningChild {
        let (pids, pidContinuation) = AsyncStream<Int32>.makeStream()
        let exited = TimeoutFlag()
        let task = Task<String, Never> {
            var launchedPid: Int32?
            defer {
                if let launchedPid {
                    ChildProcessRegistry.unregister(launchedPid)
                }
                exited.set()
                pidContinuation.finish()
            }
            do {
                // Its own process group: a master-worker HAProxy forks workers (and re-executes itself), and
                // a crash test must be able to kill all of them at once, whatever was forked meanwhile.
                var platform = PlatformOptions()
                platform.processGroupID = 0
                let result = try await Subprocess.run(
                    .path(FilePath(executable)),
                    arguments: Arguments(arguments),
                    platformOptions: platform,
                    input: .none,
                    output: .fileDescriptor(log, closeAfterSpawningProcess: true),
                    error: .combinedWithOutput
                ) { execution in
                    let pid = execution.processIdentifier.value
                    launchedPid = pid
                    ChildProcessRegistry.register(pid)
                    pidContinuation.yield(pid)
                    // Returning lets `run` wait for the child's exit and reap it; nothing to stream.
                }
                return "\(result.terminationStatus)"
            } catch {
                return "launch failed: \(error)"
            }
        }
        var iterator = pids.makeAsyncIterator()
        guard let pid = await iterator.next() else {
            let reason = await task.value
            throw LabError(.startFailed, "cannot launch \(executable): \(reason)")
        }
        return RunningChild(pid: pid, exited: exited, task: task)
    }

    /// SIGTERM (unless `gracePeriod` is zero), SIGKILL once the grace period is over, then waits for the reap.
    func terminate(gracePeriod: Duration) async {
        if gracePeriod > .zero, !self.hasExited {
            _ = HAProxyProcess.signal(self.pid, SIGTERM)
            let exited =
                (try? await Polling.until(timeout: gracePeriod, interval: .milliseconds(20)) {
                    self.hasExited
                }) ?? false
            if exited {
                _ = await self.task.value
                return
            }
        }
        if !self.hasExited {
            _ = HAProxyProcess.signal(self.pid, SIGKILL)
        }
        _ = HAProxyProcess.signal(-self.pid, SIGKILL)  // anything it forked that is still around
        _ = await self.task.value
    }
}
