import HawsProbe
import Testing

extension LoopbackProbeTests {
    /// Handshake and frame faults from this target's own servers (HawsLab has no such modes).
    @Suite("handshake and frame faults")
    struct HandshakeFaults {
        let prober = LoopbackProbeTests.prober

        func probeScripted(
            _ options: ProbeOptions = LoopbackProbeTests.options(),
            respond: @escaping @Sendable (String) -> String
        ) async throws -> ProbeResult {
            let server = try await ScriptedHTTPServer.start(respond: respond)
            let result = await self.prober.probe(LoopbackProbeTests.target(server.port), options: options)
            await server.stop()
            return result
        }

        func probeServer(
            _ behavior: TestWebSocketServer.Behavior,
            target configure: (inout ProbeTarget) -> Void = { _ in },
            options: ProbeOptions = LoopbackProbeTests.options()
        ) async throws -> ProbeResult {
            let server = try await TestWebSocketServer.start(behavior: behavior)
            var target = LoopbackProbeTests.target(server.port)
            configure(&target)
            let result = await self.prober.probe(target, options: options)
            await server.stop()
            return result
        }

        @Test("a 101 without Connection: upgrade is missing_connection")
        func missingConnection() async throws {
            let result = try await self.probeScripted { key in
                ScriptedHTTPServer.switchingProtocols(key: key, omit: ["Connection"])
            }
            #expect(result.failure == .missingConnection(received: nil))
            #expect(result.httpStatus == 101)
        }

        @Test("a 101 without Upgrade: websocket is missing_upgrade")
        func missingUpgrade() async throws {
            let result = try await self.probeScripted { key in
                ScriptedHTTPServer.switchingProtocols(key: key, omit: ["Upgrade"])
            }
            #expect(result.failure == .missingUpgrade(received: nil))
        }

        @Test("a 503 with a body reports 503")
        func serviceUnavailable() async throws {
            let result = try await self.probeScripted { _ in
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n"
            }
            #expect(result.failure == .status(code: 503, reason: "Service Unavailable"))
        }

        @Test("an answer that is not HTTP is a protocol violation")
        func notHTTP() async throws {
            let result = try await self.probeScripted { _ in "SSH-2.0-OpenSSH_9.2\r\n\r\n" }
            #expect(result.failure?.code == "protocol", "\(String(describing: result.failure))")
            #expect(result.failure?.phase == .upgrade)
        }

        @Test("an extension we did not offer is bad_extension")
        func badExtension() async throws {
            let result = try await self.probeServer(
                .init(responseHeaders: [("Sec-WebSocket-Extensions", "permessage-deflate")])
            )
            #expect(result.failure == .badExtension(received: "permessage-deflate", offered: []))
        }

        @Test("an offered subprotocol the server selects passes and is reported")
        func subprotocol() async throws {
            let result = try await self.probeServer(
                .init(responseHeaders: [("Sec-WebSocket-Protocol", "chat")]),
                target: { $0.subprotocols = ["superchat", "chat"] }
            )
            #expect(result.passed, "\(String(describing: result.failure))")
            #expect(result.subprotocol == "chat")
        }

        @Test("no pong: ping_timeout; a wrong pong: pong_mismatch")
        func pongs() async throws {
            var shortPing = LoopbackProbeTests.options()
            shortPing.timeouts.ping = .milliseconds(300)
            let silent = try await self.probeServer(.init(pong: .none), options: shortPing)
            #expect(silent.failure == .pingTimeout(after: .milliseconds(300)))
            #expect(silent.timings.upgrade != nil && silent.timings.ping == nil)

            let wrong = try await self.probeServer(.init(pong: .wrongPayload))
            #expect(wrong.failure?.code == "pong_mismatch")
        }

        @Test("no close echo: close in full mode, still a pass in connect-only mode")
        func noCloseEcho() async throws {
            var shortClose = LoopbackProbeTests.options()
            shortClose.timeouts.close = .milliseconds(300)
            let full = try await self.probeServer(.init(close: .ignore), options: shortClose)
            #expect(full.failure?.code == "close", "\(String(describing: full.failure))")
            #expect(full.timings.ping != nil)

            shortClose.mode = .connectOnly
            let connectOnly = try await self.probeServer(.init(close: .ignore), options: shortClose)
            #expect(connectOnly.passed)
        }

        @Test("TCP dropped right after the 101: closed_early")
        func droppedAfterUpgrade() async throws {
            let result = try await self.probeServer(.init(dropAfterUpgrade: true))
            #expect(result.failure?.code == "closed_early", "\(String(describing: result.failure))")
        }
    }
}
