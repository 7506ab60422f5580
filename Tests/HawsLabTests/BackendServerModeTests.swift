import HawsLab
import HawsTestSupport
import Testing

/// Each backend mode, checked on the wire with a raw client (and with the lab's NIO client where it matters).
@Suite("WebSocket backend server modes")
struct BackendServerModeTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    /// Runs `body` against a server in `mode`, always stopping it.
    func withServer(_ mode: LabBackendMode, _ body: (WebSocketBackendServer, Int) async throws -> Void) async throws {
        let server = WebSocketBackendServer(name: "t1")
        let port = try await server.start(mode: mode, port: 0)
        do {
            try await body(server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("ok: correct 101, echo, ping/pong, close; /health answers 200 ok")
    func ok() async throws {
        try await withServer(.ok) { server, port in
            let raw = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(key: Self.key, port: port)
            )
            #expect(raw.statusCode == 101)
            #expect(raw.header("Sec-WebSocket-Accept") == WebSocketHandshake.acceptValue(forKey: Self.key))

            let health = try await LabHTTPClient.get(port: port, path: "/health")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            #expect(health.header("X-Haws-Server") == "t1")

            let connection = try await LabWebSocketConnection.connect(port: port, path: "/ws")
            #expect(try await connection.sendTextAndAwaitEcho("hello") == "hello")
            try await connection.ping()
            try await waitFor { server.openWebSockets >= 1 }
            await connection.close()
            #expect(!connection.isOpen)
            try await waitFor { server.openWebSockets == 0 }
        }
    }

    @Test("refuseUpgrade: upgrade gets 400, /health still 200")
    func refuseUpgrade() async throws {
        try await withServer(.refuseUpgrade) { _, port in
            let raw = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(key: Self.key, port: port)
            )
            #expect(raw.statusCode == 400)
            let health = try await LabHTTPClient.get(port: port, path: "/health")
            #expect(health.status == 200)
            await #expect {
                _ = try await LabWebSocketConnection.connect(port: port, path: "/ws")
            } throws: { error in
                (error as? LabError)?.detail.contains("HTTP 400") == true
            }
        }
    }

    @Test("wrongAccept: 101 with a wrong Sec-WebSocket-Accept, which NIO's client refuses")
    func wrongAccept() async throws {
        try await withServer(.wrongAccept) { server, port in
            let raw = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(key: Self.key, port: port)
            )
            #expect(raw.statusCode == 101)
            let accept = try #require(raw.header("Sec-WebSocket-Accept"))
            #expect(accept != WebSocketHandshake.acceptValue(forKey: Self.key))
            await #expect {
                _ = try await LabWebSocketConnection.connect(port: port, path: "/ws")
            } throws: { error in
                (error as? LabError)?.detail.contains("wrong Sec-WebSocket-Accept") == true
            }
            // The server believed in its 101s; they close once the clients are gone.
            try await waitFor { server.openWebSockets == 0 }
        }
    }

    @Test("wrongSubprotocol: 101 names a protocol the client never offered")
    func wrongSubprotocol() async throws {
        try await withServer(.wrongSubprotocol) { _, port in
            let raw = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(key: Self.key, port: port)
            )
            #expect(raw.statusCode == 101)
            #expect(raw.header("Sec-WebSocket-Accept") == WebSocketHandshake.acceptValue(forKey: Self.key))
            #expect(raw.header("Sec-WebSocket-Protocol") == "haws-never-offered")
            await #expect {
                _ = try await LabWebSocketConnection.connect(port: port, path: "/ws", subprotocols: ["chat"])
            } throws: { error in
                (error as? LabError)?.detail.contains("not offered") == true
            }
        }
    }

    @Test("slowHandshake: the correct 101 comes only after the delay")
    func slowHandshake() async throws {
        try await withServer(.slowHandshake(.milliseconds(400))) { _, port in
            let clock = ContinuousClock()
            let start = clock.now
            let connection = try await LabWebSocketConnection.connect(port: port, path: "/ws")
            #expect(clock.now - start >= .milliseconds(380))
            #expect(try await connection.sendTextAndAwaitEcho("late") == "late")
            await connection.close()
            let early = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(key: Self.key, port: port),
                timeout: .milliseconds(150)
            )
            #expect(early.timedOut)
            #expect(early.received.isEmpty)
        }
    }

    @Test("hang: accepts TCP and never answers")
    func hang() async throws {
        try await withServer(.hang) { server, port in
            let raw = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(key: Self.key, port: port),
                timeout: .milliseconds(400)
            )
            #expect(raw.timedOut)
            #expect(!raw.closedByPeer)
            #expect(raw.received.isEmpty)
            let health = try await RawExchange.run(
                port: port,
                request: "GET /health HTTP/1.0\r\n\r\n",
                timeout: .milliseconds(300)
            )
            #expect(health.timedOut && health.received.isEmpty)
            _ = server
        }
    }

    @Test("closeImmediately: accepts then closes without a byte")
    func closeImmediately() async throws {
        try await withServer(.closeImmediately) { _, port in
            let raw = try await RawExchange.run(port: port, request: "", timeout: .seconds(2))
            #expect(raw.closedByPeer)
            #expect(raw.received.isEmpty)
        }
    }

    @Test("stop closes tunnels at once and start reuses the port")
    func stopAndRestart() async throws {
        let server = WebSocketBackendServer(name: "t2")
        let port = try await server.start(mode: .ok, port: 0)
        let connections = try await WebSocketClientPool(port: port).open(count: 5, path: "/ws")
        try await waitFor { server.openWebSockets == 5 }
        await server.stop()
        #expect(server.openWebSockets == 0)
        try await waitFor { connections.allSatisfy { !$0.isOpen } }
        #expect(SocketProbe.tcp(port: port) == .refused)
        #expect(try await server.start(mode: .ok) == port)
        #expect(SocketProbe.tcp(port: port) == .accepted)
        await server.stop()
    }

    @Test("ok: status= in the query refuses the upgrade with that status, delay_ms= answers late")
    func requestOptions() async throws {
        try await withServer(.ok) { server, port in
            for status in [403, 200] {
                await #expect {
                    _ = try await LabWebSocketConnection.connect(port: port, path: "/ws?status=\(status)")
                } throws: { error in
                    (error as? LabError)?.detail.contains("HTTP \(status)") == true
                }
            }
            let raw = try await RawExchange.run(
                port: port,
                request: RawExchange.upgradeRequest(path: "/ws?status=404", key: Self.key, port: port)
            )
            #expect(raw.statusCode == 404)
            #expect(server.openWebSockets == 0)
            // Out of range: ignored, the upgrade goes through.
            let upgraded = try await LabWebSocketConnection.connect(port: port, path: "/ws?status=99&delay_ms=-1")
            try await waitFor { server.openWebSockets == 1 }
            await upgraded.close()

            let clock = ContinuousClock()
            let started = clock.now
            let slow = try await LabHTTPClient.get(port: port, path: "/api?delay_ms=300&status=503")
            #expect(clock.now - started >= .milliseconds(300))
            #expect(slow.status == 503)
            #expect(slow.header("X-Haws-Server") == "t1")
        }
    }

    @Test("hundreds of concurrent WebSockets on one server")
    func manyConnections() async throws {
        try await withServer(.ok) { server, port in
            let pool = WebSocketClientPool(port: port, window: 128)
            try await pool.open(count: 300, path: "/ws")
            try await waitFor { server.openWebSockets == 300 }
            #expect(await pool.openCount == 300)
            #expect(try await pool.sendTextAndAwaitEcho("many") == "many")
            await pool.closeAll()
            try await waitFor { server.openWebSockets == 0 }
        }
    }
}

/// Waits (``eventually(timeout:interval:_:)``) until `condition` holds; records an issue if it never does.
func waitFor(
    timeout: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let satisfied = try await eventually(timeout: timeout, interval: .milliseconds(20), condition)
    #expect(satisfied, "condition not met within \(TestDeadline.scaled(timeout))", sourceLocation: sourceLocation)
}
