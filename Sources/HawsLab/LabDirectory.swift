#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private temporary directory for one lab: HAProxy's config, log and Unix sockets.
///
/// It lives directly under /tmp, not `$TMPDIR`, because a Unix socket path must fit in 108 bytes and some
/// `$TMPDIR`s are long; `mkdtemp` makes it private (mode 700) and unique.
public struct LabDirectory: Sendable, Hashable {
    public let path: String

    public init(existing path: String) {
        self.path = path
    }

    /// Creates `/tmp/<prefix>-XXXXXX`.
    public static func create(prefix: String = "haws-lab") throws(LabError) -> LabDirectory {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw LabError(.socketFailed, "mkdtemp failed: \(POSIXSocket.describe(errno: errno))")
        }
        let bytes = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return LabDirectory(existing: String(decoding: bytes, as: UTF8.self))
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String {
        self.path + "/" + name
    }

    /// Writes `text` to `name`, replacing it.
    func write(_ text: String, to name: String) throws(LabError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: self.file(name)))
        } catch {
            throw LabError(.socketFailed, "cannot write \(self.file(name)): \(error)")
        }
    }

    /// The last `lines` lines of `name`, or an empty string if it cannot be read.
    func tail(of name: String, lines: Int) -> String {
        guard let data = FileManager.default.contents(atPath: self.file(name)) else {
            return ""
        }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines).joined(separator: "\n")
    }

    /// Removes the directory and everything in it (sockets left by a killed HAProxy included).
    public func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
