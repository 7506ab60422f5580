#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a file named on the command line or in a config file (a CA bundle, a client certificate or key)
/// before a library reads it, so that the operator reads what is wrong with the path.
///
/// BoringSSL's errors for a missing file do not name it, and opening a fifo would block the caller forever.
public enum ReadableFile {
    /// Why `path` cannot be read as a regular file (`no such file`, `a directory`, `permission denied`, ...),
    /// or `nil` when it can.
    public static func problem(at path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? "no such file" : String(cString: strerror(errno)).lowercased()
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "a directory, not a file"
        default: return "not a regular file"
        }
        return access(path, R_OK) == 0 ? nil : "permission denied"
    }
}
