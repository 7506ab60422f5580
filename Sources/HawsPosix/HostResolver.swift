import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place haws turns a host name into addresses: probes, the runtime API client and the stats page client.
///
/// Every address is returned, in the system resolver's order with duplicates removed: `getaddrinfo` sorts them by
/// RFC 6724 (`/etc/gai.conf` can change it), so `localhost` on a host that maps it to both gives `::1`, then
/// `127.0.0.1`. Callers try them in that order and move to the next one when an address refuses or is unreachable
/// (``isWorthTryingNext(_:)``), all attempts within one deadline, as curl and socat do. An IP literal is used as
/// is, without a lookup.
///
/// `getaddrinfo` blocks, so it runs on NIO's blocking-work thread pool, never on an event loop or on Swift's
/// cooperative pool; a lookup that hangs past the deadline is abandoned (its thread finishes later).
///
/// The lookup is a value (``system``, or another for tests), so the address walk of every client can be tested
/// against real sockets with a name whose first address refuses, which a machine's own resolver may not offer.
public struct HostResolver: Sendable {
    /// Blocking: the addresses of a host name for a port, in preference order.
    public var lookUp: @Sendable (_ host: String, _ port: Int) throws -> [SocketAddress]

    public init(lookUp: @escaping @Sendable (_ host: String, _ port: Int) throws -> [SocketAddress]) {
        self.lookUp = lookUp
    }

    /// The system's resolver (`/etc/hosts`, DNS, as `nsswitch.conf` says), through `getaddrinfo`.
    public static let system = HostResolver(lookUp: { host, port in try systemLookUp(host: host, port: port) })

    /// All addresses of `host`, in order, without duplicates; fails with ``HostResolutionError`` or, at
    /// `deadline`, with ``HostResolutionTimedOut``.
    public func resolve(
        host: String,
        port: Int,
        deadline: NIODeadline,
        eventLoop: any EventLoop
    ) -> EventLoopFuture<[SocketAddress]> {
        if let literal = try? SocketAddress(ipAddress: host, port: port) {
            return eventLoop.makeSucceededFuture([literal])
        }
        let lookUp = self.lookUp
        let promise = eventLoop.makePromise(of: [SocketAddress].self)
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try Self.distinct(lookUp(host, port), host: host)
        }.cascade(to: promise)
        let timer = eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(HostResolutionTimedOut(host: host))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// ``resolve(host:port:deadline:eventLoop:)`` for async callers.
    public func resolve(host: String, port: Int, deadline: NIODeadline, eventLoop: any EventLoop) async throws
        -> [SocketAddress]
    {
        try await self.resolve(host: host, port: port, deadline: deadline, eventLoop: eventLoop).get()
    }

    /// Whether a failed connect concerns only that address, so that the next address of the same name may work:
    /// a refusal, an unreachable network or host, an address family the host lacks. A timeout is not: the attempts
    /// share one deadline, and it is spent.
    public static func isWorthTryingNext(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.errnoCode)
    }

    /// The addresses in their first order, each once (`getaddrinfo` repeats an address per `/etc/hosts` line).
    static func distinct(_ addresses: [SocketAddress], host: String) throws -> [SocketAddress] {
        var seen: [SocketAddress] = []
        for address in addresses where !seen.contains(address) {
            seen.append(address)
        }
        guard !seen.isEmpty else {
            throw HostResolutionError(host: host, reason: "no IPv4 or IPv6 address")
        }
        return seen
    }

    /// Blocking `getaddrinfo`. No `AI_ADDRCONFIG`: on a host with only loopback addresses it would hide
    /// `localhost`.
    private static func systemLookUp(host: String, port: Int) throws -> [SocketAddress] {
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
            switch entry.ai_family {
            case AF_INET:
                addresses.append(raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    SocketAddress($0.pointee, host: host)
                })
            case AF_INET6:
                addresses.append(raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    SocketAddress($0.pointee, host: host)
                })
            default:
                continue
            }
        }
        return addresses
    }
}

/// A host name that did not resolve, with the resolver's own words (`Name or service not known`).
public struct HostResolutionError: Error, Hashable, CustomStringConvertible {
    public var host: String
    public var reason: String

    public init(host: String, reason: String) {
        self.host = host
        self.reason = reason
    }

    public var description: String { "cannot resolve '\(host)': \(reason)" }
}

/// The lookup of `host` did not finish by the caller's deadline.
public struct HostResolutionTimedOut: Error, Hashable, CustomStringConvertible {
    public var host: String
    public var description: String { "resolving '\(host)' did not finish in time" }
}
