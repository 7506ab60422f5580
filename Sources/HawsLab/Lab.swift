import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A complete loopback lab: real WebSocket backends, a real HAProxy in front of them, and clients.
///
/// This is the facade tests and `haws demo` use: one call starts everything on free ports, the properties say
/// where to connect (frontend, runtime sockets, stats page), and `shutdown()` stops everything it started.
/// Every HAProxy child is also registered for killing at process exit, so a failed test cannot leak one.
public final class Lab: Sendable {
    /// One backend server of the lab, with where HAProxy expects it.
    public struct BackendServer: Sendable {
        public let backend: String
        public let name: String
        public let port: Int
        /// The running server: `stop()` it to see HAProxy mark it DOWN, `start()` it again to see it UP.
        public let server: WebSocketBackendServer
    }

    public let spec: LabSpec
    /// Holds the config, HAProxy's log and every Unix socket.
    public let directory: LabDirectory
    public let haproxy: HAProxyProcess
    public let config: HAProxyConfig
    public let frontendPort: Int
    /// The port of `stats socket ipv4@127.0.0.1:PORT level admin`, when `spec.tcpStatsSocket`.
    public let tcpStatsPort: Int?
    public let backendServers: [BackendServer]
    public let group: any EventLoopGroup
    private let pools = NIOLockedValueBox<[WebSocketClientPool]>([])

    private init(
        spec: LabSpec,
        directory: LabDirectory,
        haproxy: HAProxyProcess,
        config: HAProxyConfig,
        frontendPort: Int,
        tcpStatsPort: Int?,
        backendServers: [BackendServer],
        group: any EventLoopGroup
    ) {
        self.spec = spec
        self.directory = directory
        self.haproxy = haproxy
        self.config = config
        self.frontendPort = frontendPort
        self.tcpStatsPort = tcpStatsPort
        self.backendServers = backendServers
        self.group = group
    }

    // MARK: - Where things are

    /// The Unix runtime socket at `level`, if the spec asked for one.
    public func socketPath(level: HAProxyConfig.StatsLevel) -> String? {
        self.spec.socketLevels.contains(level) ? Self.socketPath(level: level, in: self.directory) : nil
    }

    public var adminSocketPath: String? { self.socketPath(level: .admin) }
    public var operatorSocketPath: String? { self.socketPath(level: .operator) }
    public var userSocketPath: String? { self.socketPath(level: .user) }
    /// The master CLI socket in master-worker mode.
    public var masterSocketPath: String? { self.haproxy.masterSocketPath }

    /// `http://127.0.0.1:PORT/stats` when the stats page is on.
    public var statsURL: String? {
        self.spec.statsPage.map { "http://127.0.0.1:\(self.frontendPort)\($0.uri)" }
    }

    /// The stats page's basic-auth credentials.
    public var statsCredentials: (user: String, password: String)? {
        self.spec.statsPage.map { (user: $0.user, password: $0.password) }
    }

    /// The server `name` of `backend`.
    public func server(_ backend: String, _ name: String) -> WebSocketBackendServer? {
        self.backendServers.first { $0.backend == backend && $0.name == name }?.server
    }

    /// WebSockets open on the backends (all, or those of one backend), as the servers themselves count them.
    public func openWebSockets(backend: String? = nil) -> Int {
        self.backendServers.filter { backend == nil || $0.backend == backend }.reduce(0) {
            $0 + $1.server.openWebSockets
        }
    }

    /// A client pool aimed at the frontend; `shutdown()` closes it too.
    public func clients(window: Int = 64, timeout: Duration = .seconds(5)) -> WebSocketClientPool {
        let pool = WebSocketClientPool(port: self.frontendPort, window: window, timeout: timeout, group: self.group)
        self.pools.withLockedValue { $0.append(pool) }
        return pool
    }

    /// Sends a command to the Unix runtime socket at `level`.
    public func runtime(_ command: String, level: HAProxyConfig.StatsLevel = .admin) async throws -> String {
        guard let path = self.socketPath(level: level) else {
            throw LabError(.notRunning, "the lab has no \(level.rawValue) socket (LabSpec.socketLevels)")
        }
        return try await LabRuntimeSocket.send(command, unixSocketPath: path, group: self.group)
    }

    /// `show stat` from the most privileged socket available, as rows.
    public func stats() async throws -> LabStatRows {
        guard
            let level = [HAProxyConfig.StatsLevel.admin, .operator, .user].first(where: self.spec.socketLevels.contains)
        else {
            throw LabError(.notRunning, "the lab has no runtime socket (LabSpec.socketLevels)")
        }
        return LabStatRows(csv: try await self.runtime("show stat", level: level))
    }

    /// Waits until HAProxy's `status` of `backend/server` satisfies `condition` (e.g. `{ $0 == "DOWN" }`).
    ///
    /// - Returns: the last status seen.
    @discardableResult
    public func waitForStatus(
        _ backend: String,
        _ server: String,
        timeout: Duration = .seconds(10),
        _ condition: @Sendable (String) -> Bool
    ) async throws -> String {
        var last = ""
        let satisfied = try await Polling.until(timeout: timeout, interval: .milliseconds(100)) {
            last = (try? await self.stats().row(backend, server)?.status) ?? ""
            return condition(last)
        }
        guard satisfied else {
            throw LabError(.timeout, "\(backend)/\(server) still '\(last)' after \(timeout)")
        }
        return last
    }

    // MARK: - Lifecycle

    /// Starts the backends, renders the config, starts HAProxy and waits until it serves.
    ///
    /// HAProxy's ports are picked free and retried with fresh ones (up to 5 times) if taken in between.
    public static func start(
        _ spec: LabSpec = .demo,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Lab {
        OpenFileLimit.raiseToHardLimit()
        let directory = try LabDirectory.create()
        var servers: [BackendServer] = []
        do {
            for backend in spec.backends {
                for server in backend.servers {
                    let instance = WebSocketBackendServer(name: server.name, group: group)
                    let port = try await instance.start(mode: server.mode, port: 0)
                    servers.append(
                        BackendServer(backend: backend.name, name: server.name, port: port, server: instance)
                    )
                }
            }
            var lastError: (any Error)?
            for _ in 1...5 {
                let ports = try FreePort.pick(count: spec.tcpStatsSocket ? 2 : 1)
                let tcpStatsPort = spec.tcpStatsSocket ? ports[1] : nil
                let config = Self.config(
                    for: spec,
                    directory: directory,
                    frontendPort: ports[0],
                    tcpStatsPort: tcpStatsPort,
                    servers: servers
                )
                let haproxy = try HAProxyProcess(
                    config: config,
                    options: HAProxyProcess.Options(
                        masterWorker: spec.masterWorker,
                        readinessTimeout: spec.readinessTimeout
                    ),
                    directory: directory
                )
                do {
                    try await haproxy.start()
                    return Lab(
                        spec: spec,
                        directory: directory,
                        haproxy: haproxy,
                        config: config,
                        frontendPort: ports[0],
                        tcpStatsPort: tcpStatsPort,
                        backendServers: servers,
                        group: group
                    )
                } catch let error as LabError where error.code == .addressInUse {
                    lastError = error
                    continue
                }
            }
            throw lastError ?? LabError(.startFailed, "HAProxy did not start")
        } catch {
            for server in servers {
                await server.server.stop()
            }
            directory.remove()
            throw error
        }
    }

    /// Closes the lab's clients, stops HAProxy and the backends, and removes the lab directory. Idempotent.
    public func shutdown() async {
        let pools = self.pools.withLockedValue { pools in
            defer { pools = [] }
            return pools
        }
        for pool in pools {
            await pool.abortAll()
        }
        await self.haproxy.stop()
        for server in self.backendServers {
            await server.server.stop()
        }
        self.directory.remove()
    }

    /// The HAProxy config a spec renders to, with the lab's paths and ports.
    public static func config(
        for spec: LabSpec,
        directory: LabDirectory,
        frontendPort: Int,
        tcpStatsPort: Int?,
        servers: [BackendServer]
    ) -> HAProxyConfig {
        var sockets = spec.socketLevels.map {
            HAProxyConfig.StatsSocket.unix(Self.socketPath(level: $0, in: directory), level: $0)
        }
        if let tcpStatsPort {
            sockets.append(.tcp(port: tcpStatsPort, level: .admin))
        }
        let backends = spec.backends.map { backend in
            HAProxyConfig.Backend(
                name: backend.name,
                servers: servers.filter { $0.backend == backend.name }.map {
                    HAProxyConfig.Server(name: $0.name, port: $0.port, check: spec.healthCheck)
                }
            )
        }
        let routes = spec.backends.compactMap { backend in
            backend.pathPrefix.map { HAProxyConfig.Route(pathPrefix: $0, backend: backend.name) }
        }
        return HAProxyConfig(
            global: HAProxyConfig.Global(statsSockets: sockets, maxconn: spec.maxconn, threads: spec.threads),
            defaults: spec.defaults,
            frontend: HAProxyConfig.Frontend(
                name: spec.frontendName,
                bindPort: frontendPort,
                routes: routes,
                defaultBackend: spec.defaultBackend,
                statsPage: spec.statsPage.map {
                    HAProxyConfig.StatsPage(uri: $0.uri, user: $0.user, password: $0.password, adminCondition: "TRUE")
                }
            ),
            backends: backends
        )
    }

    private static func socketPath(level: HAProxyConfig.StatsLevel, in directory: LabDirectory) -> String {
        directory.file("\(level.rawValue).sock")
    }
}
