import HawsCore
import NIOCore

/// The URL of HAProxy's stats page, normalised to ask for CSV.
///
/// Parsed from `--stats-url`: `http://host:port/stats;csv` or `https://...`. `;csv` is appended when the
/// path lacks it (users paste the URL of the HTML page), any query is kept. A user name in the URL
/// (`http://admin@host/stats`) is kept; a password is refused, because a command line shows in `ps` and in
/// shell history; the password comes from a file or the environment (see ``StatsPageCredentials``).
public struct StatsPageEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http, https

        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public let scheme: Scheme
    /// The host as written, without IPv6 brackets.
    public let host: String
    public let port: Int
    /// The request target sent to HAProxy: path with `;csv`, then the query if any (`/stats;csv?scope=be`).
    public let target: String
    /// The user name given in the URL, if any.
    public let user: String?

    /// Parses and normalises a stats page URL.
    public init(parsing text: String) throws(StatsPageEndpointError) {
        let input = text.trimmingWhitespace()
        guard !input.isEmpty else { throw StatsPageEndpointError(input: text, problem: .empty) }
        guard !input.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw StatsPageEndpointError(input: text, problem: .invalidCharacter)
        }
        guard let schemeEnd = input.firstRange(of: "://") else {
            throw StatsPageEndpointError(input: text, problem: .missingScheme)
        }
        guard let scheme = Scheme(rawValue: input[..<schemeEnd.lowerBound].lowercased()) else {
            throw StatsPageEndpointError(
                input: text,
                problem: .unsupportedScheme(String(input[..<schemeEnd.lowerBound]))
            )
        }
        let afterScheme = input[schemeEnd.upperBound...]
        let authorityEnd =
            afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        var rest = afterScheme[authorityEnd...]

        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            if userinfo.contains(":") {
                throw StatsPageEndpointError(input: text, problem: .passwordInURL)
            }
            guard let decoded = Self.percentDecoded(userinfo), !decoded.isEmpty else {
                throw StatsPageEndpointError(input: text, problem: .badUser)
            }
            user = decoded
            authority = authority[authority.index(after: at)...]
        }

        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw StatsPageEndpointError(input: text, problem: .badHost)
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw StatsPageEndpointError(input: text, problem: .badHost) }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            if host.contains(":") { throw StatsPageEndpointError(input: text, problem: .badHost) }
        } else {
            host = authority
        }
        guard !host.isEmpty,
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:%".contains($0)) })
        else {
            throw StatsPageEndpointError(input: text, problem: .badHost)
        }
        var port = scheme.defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw StatsPageEndpointError(input: text, problem: .badPort(String(portText)))
            }
            port = value
        }

        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        var path = rest
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            path = rest[..<question]
            query = rest[question...]
        }
        var normalizedPath = path.isEmpty ? "/" : String(path)
        if !normalizedPath.split(separator: ";", omittingEmptySubsequences: true).dropFirst().contains("csv") {
            normalizedPath += ";csv"
        }

        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.target = normalizedPath + query
        self.user = user
    }

    /// The normalised URL without the user name (`https://10.0.0.2:8404/stats;csv`), for logs and messages.
    public var description: String {
        let showPort = port != scheme.defaultPort
        return "\(scheme.rawValue)://\(RuntimeEndpoint.bracketed(host))\(showPort ? ":\(port)" : "")\(target)"
    }

    /// The `Host` header: the port only when it is not the scheme's default, as browsers send it.
    var hostHeader: String {
        let name = RuntimeEndpoint.bracketed(host)
        return port == scheme.defaultPort ? name : "\(name):\(port)"
    }

    /// Whether the host is an IP literal, which must never be sent as TLS SNI (RFC 6066).
    var hostIsIPLiteral: Bool {
        (try? SocketAddress(ipAddress: host, port: port)) != nil
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Why a `--stats-url` value did not parse.
public struct StatsPageEndpointError: Error, Hashable, CustomStringConvertible {
    public struct Problem: Hashable, Sendable {
        fileprivate enum Code: Hashable, Sendable {
            case empty, invalidCharacter, missingScheme
            case unsupportedScheme(String)
            case passwordInURL, badUser
            case badHost
            case badPort(String)
        }
        fileprivate let code: Code
        public static let empty = Problem(code: .empty)
        public static let invalidCharacter = Problem(code: .invalidCharacter)
        public static let missingScheme = Problem(code: .missingScheme)
        public static func unsupportedScheme(_ scheme: String) -> Problem { Problem(code: .unsupportedScheme(scheme)) }
        /// `user:password@` in the URL: refused so that the password never shows in `ps`.
        public static let passwordInURL = Problem(code: .passwordInURL)
        public static let badUser = Problem(code: .badUser)
        public static let badHost = Problem(code: .badHost)
        public static func badPort(_ port: String) -> Problem { Problem(code: .badPort(port)) }
    }

    /// The URL as given, with any password replaced by `***`, so that the error itself never leaks it.
    public let input: String
    public let problem: Problem

    public init(input: String, problem: Problem) {
        self.input = Self.redactingPassword(input)
        self.problem = problem
    }

    public var description: String {
        let example = "e.g. http://127.0.0.1:8404/stats;csv"
        switch problem.code {
        case .empty:
            return "empty stats page URL: give the address of HAProxy's `stats uri`, \(example)"
        case .invalidCharacter:
            return "stats page URL \(input.debugDescription) contains a space or control character: "
                + "percent-encode it, \(example)"
        case .missingScheme:
            return "stats page URL '\(input)' lacks http:// or https://: \(example)"
        case .unsupportedScheme(let scheme):
            return "stats page URL '\(input)': scheme '\(scheme)' is not supported, use http:// or https://"
        case .passwordInURL:
            return "stats page URL '\(input)' contains a password, which would show in `ps` and shell history: "
                + "remove it, keep only the user (or use --stats-user), and put the password in a file given with "
                + "--stats-password-file or in the HAWS_STATS_PASSWORD environment variable"
        case .badUser:
            return "stats page URL '\(input)': the user name before '@' is empty or badly percent-encoded"
        case .badHost:
            return "stats page URL '\(input)': the host is not valid (IPv6 goes in brackets: http://[::1]:8404/stats)"
        case .badPort(let port):
            return "stats page URL '\(input)': port '\(port)' is not a number from 1 to 65535"
        }
    }

    /// `http://admin:secret@host/` becomes `http://admin:***@host/`.
    static func redactingPassword(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd =
            afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url
        }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
