import HawsLab
import Testing

@Suite("Scale lab: tunnels held through a real HAProxy, h1 and h2", .serialized)
struct ScaleLabTests {
    @Test("500 WebSocket tunnels over HTTP/2 (RFC 8441) on both sides: each server's own count equals show sess all's")
    func h2Tunnels() async throws {
        try await self.holdTunnels(.h2, count: 500)
    }

    @Test("200 HTTP/1.1 WebSocket tunnels: each server's own count equals show sess all's")
    func h1Tunnels() async throws {
        try await self.holdTunnels(.h1, count: 200)
    }

    @Test("the scale config renders proto h2 on the second bind and on every server, and h2 streams per connection")
    func h2Config() async throws {
        let fleet = try await ScaleBackendFleet.start(.h2, servers: 2)
        let text = fleet.haproxyConfig(frontendPort: 8000, h2Port: 8001, socketPath: "/tmp/x.sock").rendered()
        await fleet.stop()
        #expect(text.contains("    bind 127.0.0.1:8000\n    bind 127.0.0.1:8001 proto h2\n"))
        #expect(text.contains("    tune.h2.max-concurrent-streams 1000\n"))
        #expect(text.contains("    http-reuse always\n"))
        #expect(text.contains("    server s0 127.0.0.1:\(fleet.members[0].port) proto h2\n"))
        #expect(!text.contains("option http-server-close"))
        let h1 = try await ScaleBackendFleet.start(.h1, servers: 1)
        let h1Text = h1.haproxyConfig(frontendPort: 8000, h2Port: 8001, socketPath: "/tmp/x.sock").rendered()
        await h1.stop()
        #expect(!h1Text.contains("proto h2"))
        #expect(h1Text.contains("option http-server-close"))
    }

    private func holdTunnels(_ tunnelProtocol: TunnelProtocol, count: Int) async throws {
        let fleet = try await ScaleBackendFleet.start(tunnelProtocol, servers: 5)
        let directory = try LabDirectory.create(prefix: "haws-scale")
        let ports = try FreePort.pick(count: 2)
        let socket = directory.file("admin.sock")
        let haproxy = try HAProxyProcess(
            config: fleet.haproxyConfig(frontendPort: ports[0], h2Port: ports[1], socketPath: socket),
            directory: directory
        )
        let clients = ScaleTunnelClients(tunnelProtocol, port: tunnelProtocol == .h2 ? ports[1] : ports[0])
        do {
            try await haproxy.start()
            try await clients.open(count: count)
            #expect(await clients.openTunnels() == count)
            try await waitFor { fleet.totalTunnels == count }

            let dump = try await LabRuntimeSocket.send("show sess all", unixSocketPath: socket, timeout: .seconds(10))
            let listed = Self.tunnelsPerServer(showSessAll: dump, backend: ScaleBackendFleet.tunnelBackend)
            let own = Dictionary(uniqueKeysWithValues: fleet.tunnelCounts.map { ($0.server, $0.open) })
            #expect(listed == own)
            #expect(listed.values.reduce(0, +) == count)
            // Round robin: every server holds some.
            #expect(own.values.allSatisfy { $0 > 0 })

            await clients.closeAll()
            try await waitFor { fleet.totalTunnels == 0 }
        } catch {
            await clients.closeAll()
            await haproxy.stop()
            await fleet.stop()
            directory.remove()
            throw error
        }
        await haproxy.stop()
        await fleet.stop()
        directory.remove()
    }

    /// Streams of `backend` that are WebSocket tunnels (`status=101`, `req.st=MSG_TUNNEL`), per server, read from
    /// `show sess all` independently of haws's own parser.
    static func tunnelsPerServer(showSessAll dump: String, backend: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        var server: String?
        var inBackend = false
        var isTunnel = false
        func finish() {
            if inBackend, isTunnel, let server {
                counts[server, default: 0] += 1
            }
            (server, inBackend, isTunnel) = (nil, false, false)
        }
        for line in dump.split(separator: "\n") {
            if !line.hasPrefix(" ") {
                finish()
                continue
            }
            let text = line.drop { $0 == " " }
            if text.hasPrefix("backend=\(backend) ") {
                inBackend = true
            } else if text.hasPrefix("server="), let name = text.dropFirst("server=".count).split(separator: " ").first {
                server = String(name)
            } else if text.hasPrefix("txn="), text.contains(" status=101 "), text.contains(" req.st=MSG_TUNNEL ") {
                isTunnel = true
            }
        }
        finish()
        return counts
    }
}
