import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw loopback sockets for the two connect faults no server framework produces: a refused port and a connect that
/// never completes.
enum LoopbackSockets {
    /// A port nothing listens on: bound by the kernel's choice, then released without `listen`.
    static func closedPort() throws -> Int {
        let fd = try self.boundSocket()
        defer { close(fd) }
        return try self.port(of: fd)
    }

    /// A listener whose accept queue is full, so the kernel drops further SYNs and a connect times out (Linux
    /// retries the SYN only after a second). Call `close()` to release it.
    final class FullBacklogListener {
        let port: Int
        private var descriptors: [Int32] = []

        init() throws {
            let listener = try LoopbackSockets.boundSocket()
            self.descriptors.append(listener)
            guard listen(listener, 0) == 0 else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            self.port = try LoopbackSockets.port(of: listener)
            // Backlog 0 admits one connection into the accept queue; the second fills it for good measure.
            for _ in 0..<2 {
                let filler = LoopbackSockets.streamSocket()
                let flags = fcntl(filler, F_GETFL)
                _ = fcntl(filler, F_SETFL, flags | O_NONBLOCK)
                var address = LoopbackSockets.loopback(port: self.port)
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                self.descriptors.append(filler)
            }
            // Wait (at most a second) until the first filler's handshake is done, so it sits in the accept queue:
            // its non-blocking connect turns writable then.
            var first = pollfd(fd: self.descriptors[1], events: Int16(POLLOUT), revents: 0)
            _ = poll(&first, 1, 1_000)
        }

        func close() {
            for fd in self.descriptors {
                #if canImport(Glibc)
                _ = Glibc.close(fd)
                #else
                _ = Darwin.close(fd)
                #endif
            }
            self.descriptors = []
        }
    }

    static func streamSocket() -> Int32 {
        #if canImport(Glibc)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        return address
    }

    static func boundSocket() throws -> Int32 {
        let fd = self.streamSocket()
        var address = self.loopback(port: 0)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, result == 0 else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return fd
    }

    static func port(of fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        guard result == 0 else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Counts this process's file descriptors, overall and as TCP sockets on one port, from `/proc`.
///
/// Other test targets of the same process (HawsLab opens hundreds of WebSocket clients) run in parallel with this
/// one, so the leak test counts what a probe could leak: every descriptor except TCP sockets on other ports. A
/// leaked probe socket always has the probed port as its remote port, even after the server side is gone.
enum DescriptorCensus {
    /// All open descriptors, minus TCP sockets whose ports are not `port` (other suites' connections).
    static func openDescriptors(excludingTCPSocketsNotOn port: Int) -> Int {
        let total = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        let sockets = self.tcpSocketPorts()
        return total - sockets.filter { !$0.contains(port) }.count
    }

    /// Sockets held by this process whose local or remote port is `port`.
    static func tcpSockets(port: Int) -> Int {
        self.tcpSocketPorts().filter { $0.contains(port) }.count
    }

    /// The local and remote ports of each TCP socket this process holds.
    private static func tcpSocketPorts() -> [[Int]] {
        let inodes = self.socketInodes()
        var sockets: [[Int]] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else {
                continue
            }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, let inode = Int(fields[9]), inode != 0, inodes.contains(inode) else {
                    continue
                }
                sockets.append(
                    [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
                )
            }
        }
        return sockets
    }

    private static func socketInodes() -> Set<Int> {
        let directory = "/proc/self/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var inodes: Set<Int> = []
        for entry in entries {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(entry)"),
                target.hasPrefix("socket:["), let inode = Int(target.dropFirst(8).dropLast())
            else {
                continue
            }
            inodes.insert(inode)
        }
        return inodes
    }
}
