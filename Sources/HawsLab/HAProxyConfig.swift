/// An HAProxy 2.6 configuration described as values and rendered to text.
///
/// The lab needs many variants of one shape (sockets at different levels, a stats page or not, backends in
/// different modes) and every variant must pass `haproxy -c`. Building them from values keeps the shape in one
/// place and lets tests assert on the rendered text without starting HAProxy.
public struct HAProxyConfig: Sendable, Hashable {
    public var global: Global
    public var defaults: Defaults
    public var frontend: Frontend
    public var backends: [Backend]

    public init(global: Global = Global(), defaults: Defaults = Defaults(), frontend: Frontend, backends: [Backend]) {
        self.global = global
        self.defaults = defaults
        self.frontend = frontend
        self.backends = backends
    }

    /// A runtime API access level (`stats socket ... level`).
    public enum StatsLevel: String, Sendable, Hashable, CaseIterable {
        case user
        case `operator`
        case admin
    }

    /// One `stats socket` line.
    public struct StatsSocket: Sendable, Hashable {
        public enum Address: Sendable, Hashable {
            /// A Unix socket with its file mode (octal text, e.g. "600").
            case unix(path: String, mode: String)
            /// A TCP socket, `ipv4@HOST:PORT`.
            case tcp(host: String, port: Int)
        }

        public var address: Address
        public var level: StatsLevel

        public init(address: Address, level: StatsLevel) {
            self.address = address
            self.level = level
        }

        /// A Unix socket at `path`, mode 600.
        public static func unix(_ path: String, level: StatsLevel, mode: String = "600") -> StatsSocket {
            StatsSocket(address: .unix(path: path, mode: mode), level: level)
        }

        /// A TCP socket on 127.0.0.1.
        public static func tcp(port: Int, level: StatsLevel = .admin, host: String = "127.0.0.1") -> StatsSocket {
            StatsSocket(address: .tcp(host: host, port: port), level: level)
        }
    }

    /// The `global` section.
    public struct Global: Sendable, Hashable {
        public var statsSockets: [StatsSocket]
        public var maxconn: Int?
        /// `nbthread`; nil keeps HAProxy's default (one per CPU).
        public var threads: Int?
        /// `tune.h2.max-concurrent-streams`: streams per HTTP/2 connection (HAProxy's default is 100); the scale
        /// lab raises it so that many WebSocket tunnels share one connection (RFC 8441).
        public var h2MaxConcurrentStreams: Int?

        public init(
            statsSockets: [StatsSocket] = [],
            maxconn: Int? = 4000,
            threads: Int? = nil,
            h2MaxConcurrentStreams: Int? = nil
        ) {
            self.statsSockets = statsSockets
            self.maxconn = maxconn
            self.threads = threads
            self.h2MaxConcurrentStreams = h2MaxConcurrentStreams
        }
    }

    /// The `defaults` section, always `mode http`.
    public struct Defaults: Sendable, Hashable {
        public var logGlobal: Bool
        public var timeoutConnect: HAProxyTime
        public var timeoutClient: HAProxyTime
        public var timeoutServer: HAProxyTime
        /// Applies once a 101 turned the stream into a tunnel; nil leaves client/server timeouts in charge.
        public var timeoutTunnel: HAProxyTime?
        /// `retries 0` makes a dead backend fail fast instead of hiding behind retries.
        public var retries: Int?

        public init(
            logGlobal: Bool = true,
            timeoutConnect: HAProxyTime = .seconds(5),
            timeoutClient: HAProxyTime = .seconds(30),
            timeoutServer: HAProxyTime = .seconds(30),
            timeoutTunnel: HAProxyTime? = .hours(1),
            retries: Int? = 0
        ) {
            self.logGlobal = logGlobal
            self.timeoutConnect = timeoutConnect
            self.timeoutClient = timeoutClient
            self.timeoutServer = timeoutServer
            self.timeoutTunnel = timeoutTunnel
            self.retries = retries
        }
    }

    /// The stats page served by the frontend.
    public struct StatsPage: Sendable, Hashable {
        public var uri: String
        public var refresh: HAProxyTime?
        public var user: String?
        public var password: String?
        /// The condition of `stats admin if ...` (e.g. "TRUE", "LOCALHOST"); nil leaves the page read-only.
        public var adminCondition: String?

        public init(
            uri: String = "/stats",
            refresh: HAProxyTime? = nil,
            user: String? = nil,
            password: String? = nil,
            adminCondition: String? = "TRUE"
        ) {
            self.uri = uri
            self.refresh = refresh
            self.user = user
            self.password = password
            self.adminCondition = adminCondition
        }
    }

    /// `use_backend NAME if { path_beg PREFIX }`.
    public struct Route: Sendable, Hashable {
        public var pathPrefix: String
        public var backend: String

        public init(pathPrefix: String, backend: String) {
            self.pathPrefix = pathPrefix
            self.backend = backend
        }
    }

    /// The single frontend.
    public struct Frontend: Sendable, Hashable {
        public var name: String
        public var bindHost: String
        public var bindPort: Int
        public var routes: [Route]
        public var defaultBackend: String?
        public var statsPage: StatsPage?
        /// A second `bind HOST:PORT proto h2` on the same host: cleartext HTTP/2 with prior knowledge, where
        /// WebSocket clients use RFC 8441's extended CONNECT. nil: HTTP/1.1 only.
        public var h2BindPort: Int?

        public init(
            name: String = "fe_main",
            bindHost: String = "127.0.0.1",
            bindPort: Int,
            routes: [Route] = [],
            defaultBackend: String? = nil,
            statsPage: StatsPage? = nil,
            h2BindPort: Int? = nil
        ) {
            self.name = name
            self.bindHost = bindHost
            self.bindPort = bindPort
            self.routes = routes
            self.defaultBackend = defaultBackend
            self.statsPage = statsPage
            self.h2BindPort = h2BindPort
        }
    }

    /// `check inter <ms> fall <n> rise <n>` on a server line.
    public struct HealthCheck: Sendable, Hashable {
        public var inter: HAProxyTime?
        public var fall: Int?
        public var rise: Int?

        public init(inter: HAProxyTime? = nil, fall: Int? = nil, rise: Int? = nil) {
            self.inter = inter
            self.fall = fall
            self.rise = rise
        }

        /// Fast transitions for tests: DOWN after about 1 s, UP after one good check.
        public static let fast = HealthCheck(inter: .milliseconds(500), fall: 2, rise: 1)
        /// HAProxy's defaults (`inter 2s fall 3 rise 2`), as a plain `check` line.
        public static let haproxyDefault = HealthCheck()
    }

    /// One `server` line.
    public struct Server: Sendable, Hashable {
        public var name: String
        public var host: String
        public var port: Int
        /// nil: no `check` at all.
        public var check: HealthCheck?
        /// `proto h2`: HTTP/2 with prior knowledge to this server, WebSockets as RFC 8441 extended CONNECT streams.
        public var h2: Bool

        public init(name: String, host: String = "127.0.0.1", port: Int, check: HealthCheck? = .fast, h2: Bool = false) {
            self.name = name
            self.host = host
            self.port = port
            self.check = check
            self.h2 = h2
        }
    }

    /// One backend.
    public struct Backend: Sendable, Hashable {
        public var name: String
        public var balance: String
        public var forwardFor: Bool
        public var httpServerClose: Bool
        /// `option httpchk GET <path>`; nil keeps plain TCP checks.
        public var healthCheckPath: String?
        public var servers: [Server]
        /// `http-reuse MODE` (e.g. "always", so streams of many clients share HTTP/2 server connections).
        public var httpReuse: String?

        public init(
            name: String,
            balance: String = "roundrobin",
            forwardFor: Bool = true,
            httpServerClose: Bool = true,
            healthCheckPath: String? = "/health",
            servers: [Server],
            httpReuse: String? = nil
        ) {
            self.name = name
            self.balance = balance
            self.forwardFor = forwardFor
            self.httpServerClose = httpServerClose
            self.healthCheckPath = healthCheckPath
            self.servers = servers
            self.httpReuse = httpReuse
        }
    }

    /// The Unix socket paths of the `stats socket` lines, which readiness checks wait for.
    public var unixStatsSocketPaths: [String] {
        self.global.statsSockets.compactMap {
            if case .unix(let path, _) = $0.address { path } else { nil }
        }
    }

    /// The TCP ports HAProxy must bind (frontend and TCP stats sockets), which may collide with other programs.
    public var tcpPorts: [Int] {
        [self.frontend.bindPort] + (self.frontend.h2BindPort.map { [$0] } ?? [])
            + self.global.statsSockets.compactMap {
                if case .tcp(_, let port) = $0.address { port } else { nil }
            }
    }
}
