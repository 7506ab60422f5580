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
