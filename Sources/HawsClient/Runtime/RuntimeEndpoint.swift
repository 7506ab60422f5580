import HawsCore

/// Where HAProxy's runtime API (the `stats socket`, or the master CLI) listens.
///
/// Parsed from what people copy out of `haproxy.cfg` or type in `--socket`: a path, `unix:`/`unix@` paths,
/// `tcp://host:port`, and HAProxy's own address prefixes (`ipv4@`, `ipv6@`, `tcp@`, ...), so the value of a
/// `stats socket` line works as is.
public enum RuntimeEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A Unix domain socket file.
    case unix(path: String)
    /// A TCP listener (`stats socket ipv4@127.0.0.1:9999`). `host` is an IP literal (IPv6 without brackets)
    /// or a name.
    case tcp(host: String, port: Int)

    /// The longest path a Unix socket address can hold on Linux (`sun_path` is 108 bytes with the NUL).
    static let maximumUnixPathBytes = 107

    /// Parses a `--socket` / `socket = ...` value.
    ///
    /// Accepted: `/run/haproxy/admin.sock`, `./admin.sock`, `unix:/path`, `unix@/path`, `unix:///path`,
    /// `tcp://127.0.0.1:9999`, `tcp://[::1]:9999`, `ipv4@127.0.0.1:9999`, `ipv6@::1:9999`, `tcp@host:9999`,
    /// and a bare `127.0.0.1:9999` (HAProxy reads a bare address with a colon as TCP too).
    public init(parsing text: String) throws(RuntimeEndpointError) {
        let value = text.trimmingWhitespace()
        guard !value.isEmpty else { throw RuntimeEndpointError(input: text, problem: .empty) }
        if value.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw RuntimeEndpointError(input: text, problem: .controlCharacter)
        }

        if let rest = value.dropPrefix("unix://") ?? value.dropPrefix("unix:") ?? value.dropPrefix("unix@") {
            self = try Self.unixEndpoint(path: rest, input: text)
            return
        }
        if let rest = value.dropPrefix("tcp://") {
            self = try Self.tcpEndpoint(rest, family: .any, input: text)
            return
        }
        for (prefix, family) in [
            ("ipv4@", Family.ipv4), ("ipv6@", .ipv6), ("tcp@", .any), ("tcp4@", .ipv4), ("tcp6@", .ipv6),
        ] {
            if let rest = value.dropPrefix(prefix) {
                self = try Self.tcpEndpoint(rest, family: family, input: text)
                return
            }
        }
        if let at = value.firstIndex(of: "@"), !value.hasPrefix("/"), !value.hasPrefix(".") {
            let prefix = String(value[..<at])
            throw RuntimeEndpointError(input: text, problem: .unsupportedScheme(prefix))
        }
        if let colon = value.firstIndex(of: ":"), !value.hasPrefix("/"), !value.hasPrefix(".") {
            let scheme = String(value[..<colon])
            if value[colon...].hasPrefix("://") {
                throw RuntimeEndpointError(input: text, problem: .unsupportedScheme(scheme))
            }
            self = try Self.tcpEndpoint(Substring(value), family: .any, input: text)
            return
        }
        self = try Self.unixEndpoint(path: Substring(value), input: text)
    }

    /// `unix` endpoints render as the plain path, TCP ones as `tcp://host:port` (IPv6 in brackets), so the
    /// text parses back to the same endpoint.
    public var description: String {
        switch self {
        case .unix(let path):
            return path
        case .tcp(let host, let port):
            return "tcp://\(Self.bracketed(host)):\(port)"
        }
    }

    /// The address as HAProxy's `stats socket` line spells it, for error messages that tell what to add.
    var haproxyBindAddress: String {
        switch self {
        case .unix(let path):
            return path
        case .tcp(let host, let port):
            if host.contains(":") { return "ipv6@[\(host)]:\(port)" }
            return "ipv4@\(host):\(port)"
        }
    }

    private enum Family { case any, ipv4, ipv6 }

    private static func unixEndpoint(path: Substring, input: String) throws(RuntimeEndpointError) -> Self {
        // `unix:///run/x.sock` leaves `/run/x.sock`; `unix://run/x.sock` is a typo we do not guess about.
        let path = String(path)
        guard !path.isEmpty else { throw RuntimeEndpointError(input: input, problem: .empty) }
        guard path.utf8.count <= maximumUnixPathBytes else {
            throw RuntimeEndpointError(input: input, problem: .pathTooLong(path.utf8.count))
        }
        return .unix(path: path)
    }

    private static func tcpEndpoint(
        _ text: Substring,
        family: Family,
        input: String
    ) throws(RuntimeEndpointError) -> Self {
        let text = text.hasSuffix("/") ? text.dropLast() : text
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw RuntimeEndpointError(input: input, problem: .badHost)
            }
            host = text[text.index(after: text.startIndex)..<close]
            let afterBracket = text[text.index(after: close)...]
            guard afterBracket.hasPrefix(":") else { throw RuntimeEndpointError(input: input, problem: .missingPort) }
            portText = afterBracket.dropFirst()
        } else {
            // The last colon separates the port, so `ipv6@::1:9999` works as in HAProxy's own syntax.
            guard let colon = text.lastIndex(of: ":") else {
                throw RuntimeEndpointError(input: input, problem: .missingPort)
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else {
            throw RuntimeEndpointError(input: input, problem: .badHost)
        }
        let isIPv6 = host.contains(":")
        if (family == .ipv4 && isIPv6) || (family == .ipv6 && !isIPv6 && host.first?.isNumber == true) {
            throw RuntimeEndpointError(input: input, problem: .badHost)
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw RuntimeEndpointError(input: input, problem: .badPort(String(portText)))
        }
        return .tcp(host: String(host), port: port)
    }

    static func bracketed(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? self.dropFirst(prefix.count) : nil
    }
}

/// Why a `--socket` value did not parse.
public struct RuntimeEndpointError: Error, Hashable, CustomStringConvertible {
    /// What was wrong, as an open set so new checks do not break callers.
    public struct Problem: Hashable, Sendable {
        fileprivate enum Code: Hashable, Sendable {
            case empty, controlCharacter
            case unsupportedScheme(String)
            case missingPort
            case badPort(String)
            case badHost
            case pathTooLong(Int)
        }
        fileprivate let code: Code
        public static let empty = Problem(code: .empty)
        public static let controlCharacter = Problem(code: .controlCharacter)
        public static func unsupportedScheme(_ scheme: String) -> Problem { Problem(code: .unsupportedScheme(scheme)) }
        public static let missingPort = Problem(code: .missingPort)
        public static func badPort(_ port: String) -> Problem { Problem(code: .badPort(port)) }
        public static let badHost = Problem(code: .badHost)
        public static func pathTooLong(_ bytes: Int) -> Problem { Problem(code: .pathTooLong(bytes)) }
    }

    public let input: String
    public let problem: Problem

    public init(input: String, problem: Problem) {
        self.input = input
        self.problem = problem
    }

    public var description: String {
        let forms = "use a socket path (/run/haproxy/admin.sock), tcp://127.0.0.1:9999 or ipv4@127.0.0.1:9999"
        switch problem.code {
        case .empty:
            return "empty runtime API socket address: \(forms)"
        case .controlCharacter:
            return "runtime API socket address '\(input.debugDescription)' contains a line break: \(forms)"
        case .unsupportedScheme(let scheme):
            return "runtime API socket address '\(input)': '\(scheme)' is not supported (abstract, fd@ and "
                + "sockpair@ sockets cannot be reached from another process): \(forms)"
        case .missingPort:
            return "runtime API socket address '\(input)' has no port: write host:port, e.g. tcp://127.0.0.1:9999"
        case .badPort(let port):
            return "runtime API socket address '\(input)': port '\(port)' is not a number from 1 to 65535"
        case .badHost:
            return "runtime API socket address '\(input)': the host is not valid: \(forms) (IPv6 as tcp://[::1]:9999)"
        case .pathTooLong(let bytes):
            return "runtime API socket path '\(input)' is \(bytes) bytes, over the 107 a Unix socket address "
                + "holds: move the socket to a shorter path (e.g. /run/haproxy/admin.sock)"
        }
    }
}
