import HawsPosix
import HawsProbe
import NIOCore
import Testing

extension LoopbackProbeTests {
    @Suite("TCP connect and name resolution")
    struct Connect {
        let prober = LoopbackProbeTests.prober

        @Test("a closed port is connect_refused, naming the address")
        func refused() async throws {
            let port = try LoopbackSockets.closedPort()
            let result = await self.prober.probe(LoopbackProbeTests.target(port), options: LoopbackProbeTests.options())
            #expect(result.failure == .connectRefused(address: "127.0.0.1:\(port)"))
            #expect(result.timings.connect == nil)
            #expect(result.timings.total < .seconds(2))
        }

        @Test("a listener whose accept queue is full drops the SYN: connect_timeout")
        func connectTimeout() async throws {
            let listener = try LoopbackSockets.FullBacklogListener()
            defer { listener.close() }
            var options = LoopbackProbeTests.options()
            options.timeouts.connect = .milliseconds(200)
            let result = await self.prober.probe(LoopbackProbeTests.target(listener.port), options: options)
            #expect(result.failure?.code == "connect_timeout", "\(String(describing: result.failure))")
            #expect(result.timings.total >= .milliseconds(190) && result.timings.total < .seconds(2))
        }

        @Test("a host name is resolved once and timed as its own phase")
        func resolvesNames() async throws {
            // Serve on whatever `localhost` resolves to first (127.0.0.1 or ::1), from /etc/hosts: no DNS traffic.
            let address = try SocketAddress.makeAddressResolvingHost("localhost", port: 0)
            let server = try await TestWebSocketServer.start(host: try #require(address.ipAddress))
            let target = ProbeTarget(host: "localhost", port: server.port, path: "/")
            let result = await self.prober.probe(target, options: LoopbackProbeTests.options())
            await server.stop()
            #expect(result.passed, "\(String(describing: result.failure))")
            #expect(result.timings.resolve != nil)
            #expect(result.remoteAddress?.hasSuffix(":\(server.port)") == true)
        }

        /// A name whose first address refuses: the probe goes on to the next, as the runtime and stats clients do.
        /// The machine's own resolver may map no name to two loopback addresses, so the name comes from a resolver
        /// value; the connections are real.
        @Test("a host name whose first address refuses is probed on its next address")
        func nextAddressAfterARefusal() async throws {
            let closed = try LoopbackSockets.closedPort()
            let server = try await TestWebSocketServer.start(host: "127.0.0.1")
            let open = server.port
            let resolver = HostResolver { _, _ in
                [try SocketAddress(ipAddress: "127.0.0.1", port: closed), try SocketAddress(ipAddress: "127.0.0.1", port: open)]
            }
            let prober = Prober(raiseFileLimit: false, resolver: resolver)
            let result = await prober.probe(
                ProbeTarget(host: "two.test", port: open, path: "/"), options: LoopbackProbeTests.options())
            await server.stop()
            #expect(result.passed, "\(String(describing: result.failure))")
            #expect(result.remoteAddress == "127.0.0.1:\(open)")
            #expect(result.timings.resolve != nil)
        }

        @Test("when every address refuses, the failure names them all, in the order tried")
        func everyAddressRefuses() async throws {
            let first = try LoopbackSockets.closedPort()
            let second = try LoopbackSockets.closedPort()
            let resolver = HostResolver { _, _ in
                [try SocketAddress(ipAddress: "127.0.0.1", port: first), try SocketAddress(ipAddress: "127.0.0.1", port: second)]
            }
            let prober = Prober(raiseFileLimit: false, resolver: resolver)
            let result = await prober.probe(
                ProbeTarget(host: "two.test", port: first, path: "/"), options: LoopbackProbeTests.options())
            #expect(result.failure == .connectRefused(address: "127.0.0.1:\(first), 127.0.0.1:\(second)"))
        }

        /// Real on a machine whose resolver maps `localhost` to `::1` and `127.0.0.1` (most distributions); this
        /// sandbox maps it to 127.0.0.1 only, so the test is skipped there.
        @Test(
            "localhost served on its last address only is probed through the system resolver",
            .enabled(if: Self.localhostAddresses().count > 1, "localhost has a single address here")
        )
        func localhostOnItsLastAddress() async throws {
            let last = try #require(Self.localhostAddresses().last?.ipAddress)
            let server = try await TestWebSocketServer.start(host: last)
            let result = await self.prober.probe(
                ProbeTarget(host: "localhost", port: server.port, path: "/"), options: LoopbackProbeTests.options())
            await server.stop()
            #expect(result.passed, "\(String(describing: result.failure))")
        }

        static func localhostAddresses() -> [SocketAddress] {
            (try? HostResolver.system.lookUp("localhost", 80)) ?? []
        }

        @Test("an invalid target fails before any socket opens")
        func invalidTarget() async {
            var target = LoopbackProbeTests.target(80)
            target.headers = [ProbeHeader(name: "X-Evil", value: "a\r\nb: c")]
            let result = await self.prober.probe(target)
            #expect(result.failure?.code == "invalid_target")
            #expect(result.timings.connect == nil)
        }
    }
}
