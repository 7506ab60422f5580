import HawsPosix
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one resolver of probes and clients: order, duplicates, literals, failures and its deadline.
@Suite("HostResolver")
struct HostResolverTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    func deadline(_ duration: Duration = .seconds(2)) -> NIODeadline { .now() + TimeAmount(duration) }

    @Test("an IP literal is used as is, without a lookup")
    func literalNeedsNoLookUp() async throws {
        let resolver = HostResolver { host, _ in
            Issue.record("looked up \(host)")
            return []
        }
        for host in ["127.0.0.1", "::1"] {
            let addresses = try await resolver.resolve(host: host, port: 8080, deadline: deadline(), eventLoop: loop)
            #expect(addresses == [try SocketAddress(ipAddress: host, port: 8080)])
        }
    }

    @Test("every address, in the lookup's order, each once")
    func orderKeptDuplicatesDropped() async throws {
        let v6 = try SocketAddress(ipAddress: "::1", port: 80)
        let v4 = try SocketAddress(ipAddress: "127.0.0.1", port: 80)
        let resolver = HostResolver { _, _ in [v6, v4, v6, v4] }
        let addresses = try await resolver.resolve(host: "both.test", port: 80, deadline: deadline(), eventLoop: loop)
        #expect(addresses == [v6, v4])
    }

    @Test("a lookup with no address is a resolution error naming the host")
    func noAddress() async {
        let resolver = HostResolver { _, _ in [] }
        await #expect(throws: HostResolutionError(host: "none.test", reason: "no IPv4 or IPv6 address")) {
            try await resolver.resolve(host: "none.test", port: 80, deadline: deadline(), eventLoop: loop)
        }
    }

    @Test("the system resolver: localhost from /etc/hosts, and the resolver's words for an unknown name")
    func systemResolver() async throws {
        let local = try await HostResolver.system.resolve(
            host: "localhost", port: 80, deadline: deadline(), eventLoop: loop)
        #expect(local.contains { $0.ipAddress == "127.0.0.1" || $0.ipAddress == "::1" }, "\(local)")
        #expect(local.allSatisfy { $0.port == 80 })
        // `.invalid` never resolves (RFC 6761).
        let error = await #expect(throws: HostResolutionError.self) {
            try await HostResolver.system.resolve(host: "no-such-host.invalid", port: 80, deadline: deadline(), eventLoop: loop)
        }
        #expect(error?.host == "no-such-host.invalid")
        #expect(error?.reason.isEmpty == false)
    }

    @Test("a lookup that hangs fails at the deadline")
    func hungLookUpTimesOut() async throws {
        // The lookup blocks on a lock the test opens afterwards, so its pool thread ends.
        let gate = ConditionLock(value: false)
        let resolver = HostResolver { _, _ in
            gate.lock(whenValue: true)
            gate.unlock()
            return []
        }
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: HostResolutionTimedOut.self) {
            try await resolver.resolve(
                host: "hung.test", port: 80, deadline: deadline(.milliseconds(100)), eventLoop: loop)
        }
        // The lookup is still blocked here: only the deadline can have ended the call (the bound is loose for a
        // loaded machine; without the timer the call would never return).
        gate.lock()
        gate.unlock(withValue: true)
        #expect(clock.now - started < .seconds(10))
    }

    @Test("refusals and unreachable addresses move on to the next address; timeouts and other errors do not")
    func whichFailuresTryTheNextAddress() {
        for code in [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, EAFNOSUPPORT] {
            #expect(HostResolver.isWorthTryingNext(IOError(errnoCode: code, reason: "connect")), "errno \(code)")
        }
        #expect(!HostResolver.isWorthTryingNext(IOError(errnoCode: ETIMEDOUT, reason: "connect")))
        #expect(!HostResolver.isWorthTryingNext(IOError(errnoCode: EMFILE, reason: "socket")))
        #expect(!HostResolver.isWorthTryingNext(ChannelError.connectTimeout(.seconds(1))))
    }
}
