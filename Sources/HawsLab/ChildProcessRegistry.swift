import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every HAProxy the lab started and has not yet reaped, killed with SIGKILL when the process exits.
///
/// A failing test may never reach its `shutdown()`; without this, HAProxy processes would outlive the test run
/// and keep ports and sockets busy for the next one. Pids leave the registry as soon as they are reaped, so an
/// exit handler never signals a pid that the kernel could have reused.
enum ChildProcessRegistry {
    private static let pids = NIOLockedValueBox<Set<pid_t>>([])

    /// Installs the exit handler once, on first registration (`static let` initialisation runs exactly once).
    private static let exitHandlerInstalled: Bool = {
        atexit {
            ChildProcessRegistry.killAll()
        }
        return true
    }()

    static func register(_ pid: pid_t) {
        _ = exitHandlerInstalled
        _ = pids.withLockedValue { $0.insert(pid) }
    }

    static func unregister(_ pid: pid_t) {
        _ = pids.withLockedValue { $0.remove(pid) }
    }

    /// The pids currently registered.
    static var registered: Set<pid_t> { pids.withLockedValue { $0 } }

    /// SIGKILLs everything still registered.
    static func killAll() {
        let all = pids.withLockedValue { $0 }
        for pid in all {
            kill(pid, SIGKILL)
        }
    }
}
