import Foundation

/// A fresh directory under /tmp, removed by `remove()`: the one temporary directory of every test target.
///
/// Short on purpose: Unix socket paths must stay under 108 bytes, which the default temporary directory of some
/// systems exceeds.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        var template = Array("/tmp/haws-test-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        self.path = String(cString: result)
    }

    /// The path of `name` in the directory.
    public func file(_ name: String) -> String { "\(self.path)/\(name)" }

    /// Writes `contents` to `name` in the directory; its path.
    public func write(_ name: String, _ contents: String) throws -> String {
        let path = self.file(name)
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
