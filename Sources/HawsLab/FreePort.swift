#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks TCP ports on 127.0.0.1 that are free right now.
///
/// HAProxy needs explicit ports in its config, unlike our NIO servers that bind port 0. The kernel hands out a
/// free port for `bind(127.0.0.1:0)`; the socket is closed again before HAProxy binds, so another program can take
/// the port in between: callers retry with fresh ports when HAProxy reports "cannot bind" (see `Lab.start`).
public enum FreePort {
    /// `count` distinct free ports (all are held open together while picking, so they differ).
    public static func pick(count: Int = 1) throws(LabError) -> [Int] {
        var descriptors: [Int32] = []
        defer {
            for fd in descriptors {
                close(fd)
            }
        }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = POSIXSocket.makeStreamSocket(family: AF_INET)
            guard fd >= 0 else {
                throw LabError(.socketFailed, "socket(): \(POSIXSocket.describe(errno: errno))")
            }
            descriptors.append(fd)
            var address = POSIXSocket.loopbackAddress(port: 0)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                throw LabError(.socketFailed, "bind(127.0.0.1:0): \(POSIXSocket.describe(errno: errno))")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getsockname(fd, $0, &length)
                }
            }
            guard named == 0 else {
                throw LabError(.socketFailed, "getsockname(): \(POSIXSocket.describe(errno: errno))")
            }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    /// One free port.
    public static func pick() throws(LabError) -> Int {
        try pick(count: 1)[0]
    }
}
