#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers "does something accept connections there right now?" for readiness polling and crash tests.
///
/// A killed HAProxy leaves its Unix socket file behind, and the only honest check is a connect: `refused` with the
/// file present is exactly the crash signature haws must recognise.
public enum SocketProbe {
    public enum Outcome: Sendable, Hashable, CustomStringConvertible {
        /// The connect succeeded (the connection is closed again at once).
        case accepted
        /// Nothing listens: `ECONNREFUSED` (a TCP port, or a Unix socket file left by a dead process).
        case refused
        /// The Unix socket file does not exist.
        case missing
        /// Any other errno.
        case failed(Int32)

        public var description: String {
            switch self {
            case .accepted: "accepted"
            case .refused: "refused"
            case .missing: "missing"
            case .failed(let code): "failed(\(POSIXSocket.describe(errno: code)))"
            }
        }
    }

    /// Tries to connect to `127.0.0.1:port`.
    public static func tcp(port: Int, timeoutMilliseconds: Int = 1000) -> Outcome {
        let fd = POSIXSocket.makeStreamSocket(family: AF_INET)
        guard fd >= 0 else {
            return .failed(errno)
        }
        defer { close(fd) }
        POSIXSocket.setSendTimeout(fd, milliseconds: timeoutMilliseconds)
        return outcome(POSIXSocket.connect(fd, to: POSIXSocket.loopbackAddress(port: port)))
    }

    /// Tries to connect to the Unix socket at `path`.
    public static func unix(path: String, timeoutMilliseconds: Int = 1000) -> Outcome {
        let fd = POSIXSocket.makeStreamSocket(family: AF_UNIX)
        guard fd >= 0 else {
            return .failed(errno)
        }
        defer { close(fd) }
        POSIXSocket.setSendTimeout(fd, milliseconds: timeoutMilliseconds)
        return outcome(POSIXSocket.connect(fd, unixPath: path))
    }

    private static func outcome(_ code: Int32) -> Outcome {
        switch code {
        case 0: .accepted
        case ECONNREFUSED: .refused
        case ENOENT: .missing
        default: .failed(code)
        }
    }
}
