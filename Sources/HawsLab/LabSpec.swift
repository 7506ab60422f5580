/// What a lab runs: backends with their servers and modes, which runtime sockets and stats page HAProxy offers,
/// and how fast health checks react.
///
/// `LabSpec.demo` is the layout of the shared samples (`ws_chat` x3, `ws_feed` x2, `http_api` x1); tests tweak
/// a copy (one server in `.hang`, master-worker on, a TCP stats socket) rather than writing configs by hand.
public struct LabSpec: Sendable, Hashable {
    /// One backend server and how it behaves.
    public struct Server: Sendable, Hashable {
        public var name: String
        public var mode: LabBackendMode

        public init(_ name: String, mode: LabBackendMode = .ok) {
            self.name = name
            self.mode = mode
        }
    }

    /// One HAProxy backend, routed by path prefix.
    public struct Backend: Sendable, Hashable {
        public var name: String
        /// `use_backend NAME if { path_beg PREFIX }`; nil: reachable only as the default backend.
        public var pathPrefix: String?
        public var servers: [Server]

        public init(_ name: String, pathPrefix: String?, servers: [Server]) {
            self.name = name
            self.pathPrefix = pathPrefix
            self.servers = servers
        }
    }

    /// Basic-auth credentials of the stats page on the frontend.
    public struct StatsPage: Sendable, Hashable {
        public var uri: String
        public var user: String
        public var password: String

        public init(uri: String = "/stats", user: String = "admin", password: String = "haws") {
            self.uri = uri
            self.user = user
            self.password = password
        }
    }

    public var backends: [Backend]
    public var defaultBackend: String?
    public var frontendName: String
    /// One Unix runtime socket per level, named `<level>.sock` in the lab directory.
    public var socketLevels: [HAProxyConfig.StatsLevel]
    /// Adds `stats socket ipv4@127.0.0.1:PORT level admin`.
    public var tcpStatsSocket: Bool
    /// The stats page on the frontend; nil: none.
    public var statsPage: StatsPage?
    /// Runs HAProxy as master + worker with a master socket (needed for `reload()`).
    public var masterWorker: Bool
    public var healthCheck: HAProxyConfig.HealthCheck
    public var defaults: HAProxyConfig.Defaults
    public var maxconn: Int
    /// `nbthread`; nil keeps HAProxy's default.
    public var threads: Int?
    public var readinessTimeout: Duration

    public init(
        backends: [Backend],
        defaultBackend: String? = nil,
        frontendName: String = "fe_main",
        socketLevels: [HAProxyConfig.StatsLevel] = [.admin, .operator, .user],
        tcpStatsSocket: Bool = false,
        statsPage: StatsPage? = StatsPage(),
        masterWorker: Bool = false,
        healthCheck: HAProxyConfig.HealthCheck = .fast,
        defaults: HAProxyConfig.Defaults = HAProxyConfig.Defaults(),
        maxconn: Int = 4000,
        threads: Int? = nil,
        readinessTimeout: Duration = .seconds(10)
    ) {
        self.backends = backends
        self.defaultBackend = defaultBackend
        self.frontendName = frontendName
        self.socketLevels = socketLevels
        self.tcpStatsSocket = tcpStatsSocket
        self.statsPage = statsPage
        self.masterWorker = masterWorker
        self.healthCheck = healthCheck
        self.defaults = defaults
        self.maxconn = maxconn
        self.threads = threads
        self.readinessTimeout = readinessTimeout
    }

    /// The samples' layout: `/chat` → `ws_chat` (s1, s2, s3), `/feed` → `ws_feed` (f1, f2), everything else
    /// → `http_api` (a1); admin, operator and user sockets; a stats page with auth; `inter 500 fall 2 rise 1`.
    public static let demo = LabSpec(
        backends: [
            Backend("ws_chat", pathPrefix: "/chat", servers: [Server("s1"), Server("s2"), Server("s3")]),
            Backend("ws_feed", pathPrefix: "/feed", servers: [Server("f1"), Server("f2")]),
            Backend("http_api", pathPrefix: "/api", servers: [Server("a1")]),
        ],
        defaultBackend: "http_api"
    )

    /// One backend `ws` on `/ws` with one server per mode, named `m1`, `m2`, ...
    public static func single(modes: [LabBackendMode], backend: String = "ws", pathPrefix: String = "/ws") -> LabSpec {
        LabSpec(
            backends: [
                Backend(
                    backend,
                    pathPrefix: pathPrefix,
                    servers: modes.enumerated().map { Server("m\($0.offset + 1)", mode: $0.element) }
                )
            ],
            defaultBackend: backend
        )
    }
}
