#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the audit log cannot be written.
public struct AuditLogError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The NDJSON audit log of actions (`haws top` and `haws drain`): one line per command, appended with a single `write` on an
/// `O_APPEND` descriptor, so two haws processes sharing the file never interleave lines.
public struct AuditLog: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// `$XDG_STATE_HOME/haws/audit.log`, else `~/.local/state/haws/audit.log`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/haws/audit.log" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/state/haws/audit.log"
    }

    /// Creates the directory (mode 700) and the file (mode 600) when missing and checks that the
    /// file can be appended to: actions are refused when it cannot.
    public func prepare() throws(AuditLogError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw AuditLogError("cannot create \(directory): \(fileErrorReason(error))")
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AuditLogError("cannot open \(path) for appending: \(String(cString: strerror(errno)))")
        }
        close(fd)
    }

    public func append(_ records: [AuditRecord]) throws(AuditLogError) {
        guard !records.isEmpty else { return }
        try prepare()
        let text = records.map { $0.jsonLine() + "\n" }.joined()
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLogError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw AuditLogError(
                "short write to \(path): \(written < 0 ? String(cString: strerror(errno)) : "\(written) of \(bytes.count) bytes")"
            )
        }
    }
}
