#if canImport(Glibc)
import Glibc
/// `group` is also the name of a stored property below; the C struct needs its module's name.
private typealias GroupEntry = Glibc.group
#elseif canImport(Musl)
import Musl
private typealias GroupEntry = Musl.group
#elseif canImport(Darwin)
import Darwin
private typealias GroupEntry = Darwin.group
#endif

/// Who owns a socket file, who may write to it and whether it is a socket at all, read with `stat(2)` when a
/// connect fails.
///
/// Connecting to a Unix socket needs write permission on the file, so "permission denied" is only useful at
/// 3 a.m. if it says which user or group would be let in.
struct SocketFileStatus: Hashable, Sendable {
    var owner: String
    var group: String
    /// The permission bits (`0o660`).
    var mode: UInt32
    /// False for a regular file or directory at the socket's path (a typo, or a leftover of another tool).
    var isSocket: Bool

    init(owner: String, group: String, mode: UInt32, isSocket: Bool = true) {
        self.owner = owner
        self.group = group
        self.mode = mode & 0o7777
        self.isSocket = isSocket
    }

    /// Reads the file's owner, group and mode; `nil` when the file cannot be `stat`ed (its directory is not
    /// searchable, which is a cause of `EACCES` too).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(
            owner: Self.userName(uid: info.st_uid) ?? "uid \(info.st_uid)",
            group: Self.groupName(gid: info.st_gid) ?? "gid \(info.st_gid)",
            mode: UInt32(info.st_mode),
            isSocket: (UInt32(info.st_mode) & UInt32(S_IFMT)) == UInt32(S_IFSOCK)
        )
    }

    /// `660` as `ls -l` users and HAProxy's `mode` keyword write it.
    var octalMode: String { String(mode, radix: 8) }

    /// One sentence telling who can connect, e.g. "run haws as root or haproxy, or as a member of group haproxy".
    var whoCanConnect: String {
        if mode & 0o002 != 0 {
            return "the file is writable by everyone, so a parent directory is not searchable: check its permissions"
        }
        var accounts = ["root"]
        if mode & 0o200 != 0, owner != "root" { accounts.append(owner) }
        var text = "run haws as " + accounts.joined(separator: " or ")
        if mode & 0o020 != 0 {
            text += ", or as a member of group \(group) (usermod -aG \(group) <user>, then log in again)"
        } else {
            text += ", or give the group write access with `mode 660` (and `group <name>`) on the `stats socket` line"
        }
        return text
    }

    private static func userName(uid: uid_t) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 4096) { buffer in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard getpwuid_r(uid, &entry, buffer.baseAddress!, buffer.count, &result) == 0, result != nil,
                let name = entry.pw_name
            else { return nil }
            return String(cString: name)
        }
    }

    private static func groupName(gid: gid_t) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 4096) { buffer in
            var entry = GroupEntry()
            var result: UnsafeMutablePointer<GroupEntry>?
            guard getgrgid_r(gid, &entry, buffer.baseAddress!, buffer.count, &result) == 0, result != nil,
                let name = entry.gr_name
            else { return nil }
            return String(cString: name)
        }
    }
}
