import Foundation

/// A fresh directory under /tmp, removed by `remove()`. Short on purpose: Unix socket paths must stay under
/// 108 bytes, which the default temporary directory of some systems exceeds.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/haws-test-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: result)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func write(_ name: String, _ contents: String) throws -> String {
        let path = file(name)
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
