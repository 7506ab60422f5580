import HawsPosix
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The HTTP basic-auth login for a stats page protected by `stats auth user:password`.
///
/// The password is never printed: ``description`` shows `user:***`, and it is read from a file or the
/// environment, never from a flag or the config file, so that it stays out of `ps`, shell history and
/// configuration management diffs.
public struct StatsPageCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The environment variable read when no password file is given.
    public static let passwordEnvironmentVariable = "HAWS_STATS_PASSWORD"

    public let user: String
    let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "\(user):***" }
    public var debugDescription: String { "StatsPageCredentials(\(user):***)" }
    /// `dump()` and debuggers show `***` too.
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "***"]) }

    /// The `Authorization` header value (`Basic base64(user:password)`).
    var authorizationHeader: String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Finds the password for `user`: from `passwordFile` (its trailing line break trimmed), else from
    /// `HAWS_STATS_PASSWORD` in `environment`.
    ///
    /// - Returns: `nil` when there is no user (a stats page without `stats auth`).
    /// - Throws: ``StatsPageError`` when a user has no password, the file cannot be read or is empty, or a
    ///   password source is given without a user.
    public static func resolve(
        user: String?,
        passwordFile: String?,
        environment: [String: String],
        for endpoint: StatsPageEndpoint
    ) throws -> StatsPageCredentials? {
        let environmentPassword = environment[passwordEnvironmentVariable]
        guard let user else {
            if let passwordFile {
                throw StatsPageError.invalidSetup(
                    endpoint,
                    "a password file (\(passwordFile)) is given but no user: add --stats-user (or stats_user), "
                        + "the user of `stats auth` in haproxy.cfg"
                )
            }
            return nil
        }
        if let passwordFile {
            return StatsPageCredentials(user: user, password: try readPassword(from: passwordFile, for: endpoint))
        }
        if let environmentPassword {
            return StatsPageCredentials(user: user, password: environmentPassword)
        }
        throw StatsPageError.invalidSetup(
            endpoint,
            "no password for stats user '\(user)': write it to a file readable only by haws and pass "
                + "--stats-password-file (stats_password_file), or set \(passwordEnvironmentVariable)"
        )
    }

    /// Reads a password file; one trailing line break (`\n` or `\r\n`) is removed, other whitespace is kept
    /// because it may be part of the password.
    static func readPassword(from path: String, for endpoint: StatsPageEndpoint) throws -> String {
        func unreadable(_ reason: String) -> StatsPageError {
            StatsPageError.invalidSetup(
                endpoint,
                "cannot read the stats password file \(path) (\(reason)): check the path and that the user running "
                    + "haws can read it"
            )
        }
        // Checked first: reading a fifo would block.
        if let problem = ReadableFile.problem(at: path) { throw unreadable(problem) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw unreadable(Self.reason(error))
        }
        guard var password = String(data: data, encoding: .utf8) else {
            throw StatsPageError.invalidSetup(endpoint, "the stats password file \(path) is not UTF-8 text")
        }
        if password.hasSuffix("\r\n") || password.hasSuffix("\n") {
            password.removeLast()
        }
        guard !password.isEmpty else {
            throw StatsPageError.invalidSetup(endpoint, "the stats password file \(path) is empty")
        }
        guard !password.contains(where: { $0.isNewline }) else {
            throw StatsPageError.invalidSetup(
                endpoint,
                "the stats password file \(path) has several lines: keep only the password"
            )
        }
        return password
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError {
            switch error.code {
            case .fileReadNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        return String(describing: error).replacingLineBreaks()
    }
}
