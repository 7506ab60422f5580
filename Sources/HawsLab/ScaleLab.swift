import NIOCore
import NIOPosix

/// How WebSocket tunnels travel through HAProxy in the scale lab, on both sides of it.
public enum TunnelProtocol: String, Sendable, Hashable, CaseIterable {
    /// HTTP/1.1 Upgrade: one TCP connection per tunnel on each side, so about 2 file descriptors in HAProxy per
    /// tunnel (at most ~9,900 tunnels under a 20,000 descriptor limit).
    case h1
    /// RFC 8441 extended CONNECT over cleartext HTTP/2 (`bind ... proto h2`, `server ... proto h2`): many tunnels
    /// per connection; HAProxy still lists one stream per tunnel in `show sess all`.
    case h2
}

/// The backends of the scale lab: `count` WebSocket servers (`s0`, `s1`, ...) of one protocol, each counting
/// the tunnels it holds, plus one HTTP/1.1 server (`http`) for plain requests (latency through the same HAProxy).
///
/// `haproxyConfig` renders the HAProxy that joins them: `/ws` to the tunnel backend, everything else to the
/// plain one.
public final class ScaleBackendFleet: Sendable {
    /// One tunnel server and how to read its own count.
    public struct Member: Sendable {
        public let name: String
        public let port: Int
        let openTunnels: @Sendable () -> Int
        let stop: @Sendable () async -> Void
    }

    public let tunnelProtocol: TunnelProtocol
    public let members: [Member]
    /// The plain HTTP/1.1 server (the `http` server of backend `be_http`).
    public let plain: WebSocketBackendServer
    /// The name of the tunnel backend in the rendered config.
    public static let tunnelBackend = "be_ws"
    /// The path prefix routed to the tunnel backend.
    public static let tunnelPath = "/ws"
    /// Streams per HTTP/2 connection on both sides (`tune.h2.max-concurrent-streams`, the servers' SETTINGS).
    public static let h2StreamsPerConnection = 1000

    private init(tunnelProtocol: TunnelProtocol, members: [Member], plain: WebSocketBackendServer) {
        self.tunnelProtocol = tunnelProtocol
        self.members = members
        self.plain = plain
    }

    /// Starts `servers` tunnel servers of `tunnelProtocol` and the plain server, all on 127.0.0.1.
    public static func start(
        _ tunnelProtocol: TunnelProtocol,
        servers: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ScaleBackendFleet {
        guard (1...1000).contains(servers) else {
            throw LabError(.invalidConfig, "the scale lab runs 1 to 1000 tunnel servers, not \(servers)")
        }
        OpenFileLimit.raiseToHardLimit()
        var members: [Member] = []
        for index in 0..<servers {
            let name = "s\(index)"
            switch tunnelProtocol {
            case .h1:
                let server = WebSocketBackendServer(name: name, group: group)
                let port = try await server.start()
                members.append(Member(name: name, port: port, openTunnels: { server.openWebSockets }, stop: { await server.stop() }))
            case .h2:
                let server = H2TunnelBackendServer(name: name, maxConcurrentStreams: Self.h2StreamsPerConnection, group: group)
                let port = try await server.start()
                members.append(Member(name: name, port: port, openTunnels: { server.openTunnels }, stop: { await server.stop() }))
            }
        }
        let plain = WebSocketBackendServer(name: "http", group: group)
        try await plain.start()
        return ScaleBackendFleet(tunnelProtocol: tunnelProtocol, members: members, plain: plain)
    }

    /// Each server's own count of the tunnels it holds, in server order.
    public var tunnelCounts: [(server: String, open: Int)] {
        self.members.map { ($0.name, $0.openTunnels()) }
    }

    /// The tunnels all servers hold.
    public var totalTunnels: Int {
        self.members.reduce(0) { $0 + $1.openTunnels() }
    }

    /// Stops the servers (h1 servers close their connections; h2 servers stop accepting).
    public func stop() async {
        for member in self.members {
            await member.stop()
        }
        await self.plain.stop()
    }

    /// The HAProxy config in front of this fleet.
    ///
    /// - Parameters:
    ///   - frontendPort: the HTTP/1.1 bind (plain requests; h1 tunnels).
    ///   - h2Port: the `proto h2` bind for h2 tunnels (required for an h2 fleet, ignored for h1).
    ///   - socketPath: the admin-level runtime API socket.
    /// The servers run no health checks (as in large static fleets: checks would cost HAProxy per server between
    /// polls). An h2 tunnel backend drops `option http-server-close` and sets `http-reuse always`: streams of
    /// many clients must share server connections, or each tunnel would take a connection of its own.
    public func haproxyConfig(frontendPort: Int, h2Port: Int?, socketPath: String) -> HAProxyConfig {
        let h2 = self.tunnelProtocol == .h2
        let tunnelServers = self.members.map { member in
            HAProxyConfig.Server(name: member.name, port: member.port, check: nil, h2: h2)
        }
        return HAProxyConfig(
            global: HAProxyConfig.Global(
                statsSockets: [.unix(socketPath, level: .admin)],
                // nil: HAProxy derives maxconn from its file descriptor limit, which is the real bound here.
                maxconn: nil,
                h2MaxConcurrentStreams: h2 ? Self.h2StreamsPerConnection : nil
            ),
            defaults: HAProxyConfig.Defaults(logGlobal: false, timeoutClient: .seconds(60), timeoutServer: .seconds(60)),
            frontend: HAProxyConfig.Frontend(
                bindPort: frontendPort,
                routes: [HAProxyConfig.Route(pathPrefix: Self.tunnelPath, backend: Self.tunnelBackend)],
                defaultBackend: "be_http",
                h2BindPort: h2 ? h2Port : nil
            ),
            backends: [
                HAProxyConfig.Backend(
                    name: Self.tunnelBackend,
                    httpServerClose: !h2,
                    healthCheckPath: nil,
                    servers: tunnelServers,
                    httpReuse: h2 ? "always" : nil
                ),
                HAProxyConfig.Backend(
                    name: "be_http",
                    httpServerClose: false,
                    healthCheckPath: nil,
                    servers: [HAProxyConfig.Server(name: "http", port: self.plain.port ?? 0, check: nil)]
                ),
            ]
        )
    }
}

/// Clients holding many tunnels through the scale lab's frontend, h1 or h2.
public final class ScaleTunnelClients: Sendable {
    private enum Transport: Sendable {
        case h1(WebSocketClientPool)
        case h2(H2TunnelClient)
    }

    public let tunnelProtocol: TunnelProtocol
    private let transport: Transport
    private let path: String
    private let window: Int

    /// - Parameters:
    ///   - port: the frontend's HTTP/1.1 bind for h1, its `proto h2` bind for h2.
    ///   - window: h1 upgrades (or h2 connections) in flight while opening.
    ///   - timeout: bounds each h1 upgrade, or each h2 connection with all its streams.
    public init(
        _ tunnelProtocol: TunnelProtocol,
        host: String = "127.0.0.1",
        port: Int,
        path: String = ScaleBackendFleet.tunnelPath,
        window: Int? = nil,
        timeout: Duration = .seconds(20),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.tunnelProtocol = tunnelProtocol
        self.path = path
        self.window = window ?? (tunnelProtocol == .h1 ? 128 : 4)
        switch tunnelProtocol {
        case .h1:
            self.transport = .h1(WebSocketClientPool(host: host, port: port, window: self.window, timeout: timeout, group: group))
        case .h2:
            self.transport = .h2(
                H2TunnelClient(
                    host: host,
                    port: port,
                    path: path,
                    streamsPerConnection: ScaleBackendFleet.h2StreamsPerConnection,
                    timeout: timeout,
                    group: group
                ))
        }
    }

    /// Opens `count` tunnels and returns when all are established.
    public func open(count: Int) async throws {
        switch self.transport {
        case .h1(let pool): try await pool.open(count: count, path: self.path)
        case .h2(let client): try await client.open(count: count, window: self.window)
        }
    }

    /// Tunnels open as the clients see them.
    public func openTunnels() async -> Int {
        switch self.transport {
        case .h1(let pool): await pool.openCount
        case .h2(let client): client.openTunnels
        }
    }

    /// Drops every tunnel at once (TCP close, no closing handshake: the lab tears down fast).
    public func closeAll() async {
        switch self.transport {
        case .h1(let pool): await pool.abortAll()
        case .h2(let client): await client.closeAll()
        }
    }
}
