import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A host name that did not resolve, with the resolver's own words (`Name or service not known`).
struct HostResolutionError: Error, Hashable {
    var host: String
    var reason: String
}

/// Resolves a host once per call, on NIO's blocking-work thread pool, bounded by the call's deadline.
///
/// `ClientBootstrap.connect(host:port:)` resolves on the event loop's own resolver serially and cannot be
/// bounded by our deadline; `getaddrinfo` blocks, so it must never run on an event loop or on Swift's
/// cooperative pool. A resolver that hangs past the deadline is abandoned (its thread finishes later).
enum HostResolver {
    /// All addresses of `host` (an IP literal is returned as is), in the resolver's order, without duplicates.
    static func resolve(
        host: String,
        port: Int,
        deadline: NIODeadline,
        eventLoop: any EventLoop
    ) async throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: host, port: port) {
            return [literal]
        }
        let promise = eventLoop.makePromise(of: [SocketAddress].self)
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try lookUp(host: host, port: port)
        }.cascade(to: promise)
        let timer = eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(ChannelDeadlineExceeded())
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return try await promise.futureResult.get()
    }

    /// Blocking `getaddrinfo`. No `AI_ADDRCONFIG`: on a host with only loopback addresses it would hide
    /// `localhost`.
    private static func lookUp(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
            throw HostResolutionError(host: host, reason: reason)
        }
        defer { freeaddrinfo(first) }

        var addresses: [SocketAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node?.pointee {
            node = entry.ai_next
            guard let raw = entry.ai_addr else { continue }
            let address: SocketAddress
            switch entry.ai_family {
            case AF_INET:
                address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    SocketAddress($0.pointee, host: host)
                }
            case AF_INET6:
                address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    SocketAddress($0.pointee, host: host)
                }
            default:
                continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else {
            throw HostResolutionError(host: host, reason: "no IPv4 or IPv6 address")
        }
        return addresses
    }
}
