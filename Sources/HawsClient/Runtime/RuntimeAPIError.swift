#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HawsCore

/// A failure to get an answer from HAProxy's runtime API, with a one-line description that names the socket
/// and says what to do.
///
/// The ``kind`` is an open set of cases to match on (new kinds may be added without breaking callers); the
/// ``description`` is written for a human at 3 a.m. Answers that are data (`No such server.`) are not errors
/// here: they are returned to the caller, see ``RuntimeAPIResponse``.
public struct RuntimeAPIError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, independent of the socket and command.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String, Hashable, Sendable {
            case invalidCommand, socketNotFound, notASocket, connectionRefused, socketPermissionDenied
            case levelTooLow, unknownCommand, timeout, closedWithoutAnswer, connectionReset, responseTooLarge
            case connectFailed, ioFailed, cutOff
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// The command was refused before sending: empty, or with a line break or control character.
        public static let invalidCommand = Kind(.invalidCommand)
        /// `ENOENT`: no file at the socket path.
        public static let socketNotFound = Kind(.socketNotFound)
        /// A file exists at the path but it is not a socket.
        public static let notASocket = Kind(.notASocket)
        /// `ECONNREFUSED`: for a Unix socket, usually the stale file of a dead HAProxy.
        public static let connectionRefused = Kind(.connectionRefused)
        /// `EACCES` on the socket file or its directory.
        public static let socketPermissionDenied = Kind(.socketPermissionDenied)
        /// HAProxy answered `Permission denied`: the socket's `level` is below what the command needs.
        public static let levelTooLow = Kind(.levelTooLow)
        /// HAProxy answered `Unknown command`.
        public static let unknownCommand = Kind(.unknownCommand)
        /// No complete answer before the deadline (connect included).
        public static let timeout = Kind(.timeout)
        /// The connection ended before the first byte of an answer.
        public static let closedWithoutAnswer = Kind(.closedWithoutAnswer)
        /// `ECONNRESET` / `EPIPE` while talking.
        public static let connectionReset = Kind(.connectionReset)
        /// The connection closed mid-answer, before the empty line that ends every HAProxy answer.
        public static let cutOff = Kind(.cutOff)
        /// The answer grew past the client's size cap.
        public static let responseTooLarge = Kind(.responseTooLarge)
        /// Any other connect failure (`ENETUNREACH`, DNS, ...).
        public static let connectFailed = Kind(.connectFailed)
        /// Any other I/O failure after connecting.
        public static let ioFailed = Kind(.ioFailed)

        public var description: String { code.rawValue }
    }

    public let kind: Kind
    /// The socket that was asked.
    public let endpoint: RuntimeEndpoint
    /// The one-line, actionable explanation.
    public let description: String

    init(_ kind: Kind, _ endpoint: RuntimeEndpoint, _ description: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.description = description
    }

    // MARK: Constructors, one per kind, so every message is written once.

    static func invalidCommand(_ command: String, on endpoint: RuntimeEndpoint, reason: String) -> Self {
        Self(.invalidCommand, endpoint, "refusing to send \(quoted(command)) to HAProxy on \(endpoint): \(reason)")
    }

    static func socketNotFound(_ endpoint: RuntimeEndpoint) -> Self {
        Self(
            .socketNotFound,
            endpoint,
            "no HAProxy runtime API socket at \(endpoint) (no such file): is HAProxy running, and does the global "
                + "section of haproxy.cfg have `\(statsSocketLine(endpoint))`?"
        )
    }

    static func notASocket(_ endpoint: RuntimeEndpoint) -> Self {
        Self(
            .notASocket,
            endpoint,
            "\(endpoint) exists but is not a socket: check the path against the `stats socket` line of haproxy.cfg"
        )
    }

    static func connectionRefused(_ endpoint: RuntimeEndpoint) -> Self {
        switch endpoint {
        case .unix:
            return Self(
                .connectionRefused,
                endpoint,
                "connection refused on \(endpoint): stale socket file of a dead HAProxy? check that HAProxy is "
                    + "running (systemctl status haproxy) and that this is the socket of the running process"
            )
        case .tcp:
            return Self(
                .connectionRefused,
                endpoint,
                "connection refused on \(endpoint): is HAProxy running with `\(statsSocketLine(endpoint))` in "
                    + "the global section of haproxy.cfg?"
            )
        }
    }

    static func socketPermissionDenied(_ endpoint: RuntimeEndpoint, file: SocketFileStatus?) -> Self {
        guard let file else {
            return Self(
                .socketPermissionDenied,
                endpoint,
                "permission denied on \(endpoint): a directory on its path is not searchable by this user; run "
                    + "haws as root or as HAProxy's user, or fix the directory permissions"
            )
        }
        return Self(
            .socketPermissionDenied,
            endpoint,
            "permission denied on \(endpoint) (owner \(file.owner), group \(file.group), mode \(file.octalMode)): "
                + file.whoCanConnect
        )
    }

    static func levelTooLow(_ command: String, on endpoint: RuntimeEndpoint) -> Self {
        let needed = RuntimeAPILevel.required(for: command)
        let alternatives = needed == .admin ? "level admin" : "level operator (or admin)"
        return Self(
            .levelTooLow,
            endpoint,
            "HAProxy on \(endpoint) answered 'Permission denied' to \(quoted(command)): the socket's level is too "
                + "low, this command needs \(alternatives); set it on the socket's line in haproxy.cfg, e.g. "
                + "`\(statsSocketLine(endpoint, level: needed))`, and reload HAProxy"
        )
    }

    package static func unknownCommand(_ command: String, on endpoint: RuntimeEndpoint, answer: String) -> Self {
        Self(
            .unknownCommand,
            endpoint,
            "HAProxy on \(endpoint) does not know \(quoted(command)) (it answered \(quoted(answer))): check the "
                + "spelling, and whether this HAProxy version has the command (`haproxy -v`)"
        )
    }

    static func timeout(_ command: String, on endpoint: RuntimeEndpoint, after timeout: Duration) -> Self {
        Self(
            .timeout,
            endpoint,
            "HAProxy on \(endpoint) did not answer \(quoted(command)) within \(DurationParser.format(timeout)): it "
                + "may be hung or overloaded; raise the timeout (--timeout, [timeouts] request) if it is only slow"
        )
    }

    static func closedWithoutAnswer(_ command: String, on endpoint: RuntimeEndpoint) -> Self {
        Self(
            .closedWithoutAnswer,
            endpoint,
            "HAProxy on \(endpoint) closed the connection without answering \(quoted(command)): it may be "
                + "restarting, or the socket's `maxconn` is reached; retry, and check the HAProxy log"
        )
    }

    static func connectionReset(_ command: String, on endpoint: RuntimeEndpoint, afterBytes bytes: Int) -> Self {
        Self(
            .connectionReset,
            endpoint,
            "connection to HAProxy on \(endpoint) was reset after \(bytes) bytes of the answer to "
                + "\(quoted(command)): HAProxy restarted or crashed mid-answer? retry"
        )
    }

    static func cutOff(_ command: String, on endpoint: RuntimeEndpoint, afterBytes bytes: Int) -> Self {
        Self(
            .cutOff,
            endpoint,
            "HAProxy on \(endpoint) closed the connection \(bytes) bytes into its answer to \(quoted(command)), "
                + "before the empty line that ends every answer: HAProxy restarted or crashed mid-answer? retry"
        )
    }

    static func responseTooLarge(_ command: String, on endpoint: RuntimeEndpoint, limit: Int) -> Self {
        Self(
            .responseTooLarge,
            endpoint,
            "the answer of HAProxy on \(endpoint) to \(quoted(command)) exceeded \(byteCount(limit)); haws stopped "
                + "reading: ask for less (filters such as `show stat <proxy> -1 -1`) or raise the size limit"
        )
    }

    static func connectFailed(_ endpoint: RuntimeEndpoint, reason: String) -> Self {
        Self(
            .connectFailed,
            endpoint,
            "cannot connect to HAProxy's runtime API on \(endpoint): \(reason); check the address and the network"
        )
    }

    static func ioFailed(_ command: String, on endpoint: RuntimeEndpoint, reason: String) -> Self {
        Self(
            .ioFailed,
            endpoint,
            "talking to HAProxy on \(endpoint) about \(quoted(command)) failed: \(reason); retry, and check the "
                + "HAProxy log"
        )
    }

    /// Classifies the `errno` of a failed connect.
    ///
    /// Pure apart from the `fileStatus` closure (called only for `EACCES` and `ECONNREFUSED`), so the
    /// classification of `EACCES` can be tested where tests run as root and the kernel never refuses.
    static func connectFailure(
        errno code: Int32,
        endpoint: RuntimeEndpoint,
        fileStatus: () -> SocketFileStatus?
    ) -> Self {
        switch code {
        case ENOENT:
            return .socketNotFound(endpoint)
        case ECONNREFUSED:
            if case .unix = endpoint, let file = fileStatus(), !file.isSocket {
                return .notASocket(endpoint)
            }
            return .connectionRefused(endpoint)
        case EACCES, EPERM:
            return .socketPermissionDenied(endpoint, file: fileStatus())
        case ENOTSOCK:
            return .notASocket(endpoint)
        default:
            return .connectFailed(endpoint, reason: "\(errnoName(code)) (errno \(code))")
        }
    }

    // MARK: Rendering helpers

    /// The `stats socket` line that would make `endpoint` work at `level`.
    static func statsSocketLine(_ endpoint: RuntimeEndpoint, level: RuntimeAPILevel = .admin) -> String {
        switch endpoint {
        case .unix:
            return "stats socket \(endpoint.haproxyBindAddress) mode 660 level \(level)"
        case .tcp:
            return "stats socket \(endpoint.haproxyBindAddress) level \(level)"
        }
    }

    /// Quotes a command or answer for a one-line message: escapes line breaks and cuts it at 80 characters.
    static func quoted(_ text: String) -> String {
        var flat = text.replacingLineBreaks()
        if flat.count > 80 { flat = String(flat.prefix(77)) + "..." }
        return "'\(flat)'"
    }

    static func byteCount(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) kB" }
        return "\(bytes) bytes"
    }

    static func errnoName(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
