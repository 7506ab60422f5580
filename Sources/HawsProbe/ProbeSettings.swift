/// How the servers of one HAProxy backend are probed: what a browser of that application would send.
///
/// HAProxy knows only where a server is (`addr`); the request a real client makes (path, virtual host, subprotocol,
/// TLS) is application knowledge, so it comes from the `[probes]` section of the config file, per backend.
public struct BackendProbeSettings: Sendable, Hashable {
    /// `false` lists the backend's servers as not probeable (plain HTTP backends, say) rather than failing them.
    public var enabled: Bool
    /// The request target: path and optional query.
    public var path: String
    /// The `Host` header; `nil` sends the server's `address:port`.
    public var hostHeader: String?
    /// The `Origin` header, for applications that check it.
    public var origin: String?
    /// Speak TLS to the servers (`server ... ssl` in HAProxy).
    public var tls: Bool
    /// The TLS SNI name; `nil` uses ``hostHeader`` without its port (never an IP literal).
    public var serverName: String?
    /// Subprotocols offered.
    public var subprotocols: [String]
    /// Further request headers (a token, a cookie the application requires).
    public var headers: [ProbeHeader]
    /// Probe this port instead of the server's: needed for servers HAProxy reaches on the client's own port
    /// (port 0) or on a mapped port (`+N`, `-N`), which have no fixed port of their own.
    public var port: Int?
    /// The mode for this backend; `nil` uses the global mode.
    public var mode: ProbeOptions.Mode?

    public init(
        enabled: Bool = true,
        path: String = "/",
        hostHeader: String? = nil,
        origin: String? = nil,
        tls: Bool = false,
        serverName: String? = nil,
        subprotocols: [String] = [],
        headers: [ProbeHeader] = [],
        port: Int? = nil,
        mode: ProbeOptions.Mode? = nil
    ) {
        self.enabled = enabled
        self.path = path
        self.hostHeader = hostHeader
        self.origin = origin
        self.tls = tls
        self.serverName = serverName
        self.subprotocols = subprotocols
        self.headers = headers
        self.port = port
        self.mode = mode
    }

    /// The probe target for a server at `host:port` with these settings.
    public func target(host: String, port: Int) -> ProbeTarget {
        ProbeTarget(
            host: host,
            port: port,
            tls: self.tls,
            path: self.path,
            hostHeader: self.hostHeader,
            origin: self.origin,
            headers: self.headers,
            subprotocols: self.subprotocols,
            serverName: self.serverName ?? self.hostHeader.map(Self.serverName(forHostHeader:))
        )
    }

    /// The SNI name a `Host` header implies: `chat.example.com:8443` -> `chat.example.com`; `[::1]:80` -> `::1`
    /// (which ``ProbeTarget`` then never sends, being an IP literal).
    public static func serverName(forHostHeader authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }
}

/// Everything continuous and one-round probing needs: cadence, concurrency, options, per-backend requests and the
/// URLs probed through HAProxy itself.
///
/// Built from the `[probes]` section of the config file and command-line flags by the executable; the engine only
/// sees this value.
public struct ProbeSettings: Sendable, Hashable {
    /// Time between the starts of two rounds.
    public var interval: Duration
    /// Probes in flight at once.
    public var concurrency: Int
    /// Each probe starts after a random delay below this, so a round is not one burst.
    public var jitter: Duration
    /// Mode, timeouts, TLS profile and message of every probe (a backend may override the mode).
    public var options: ProbeOptions
    /// The share of one core continuous probing may use (``defaultBudget``); `nil`: every server every interval,
    /// whatever it costs.
    public var budget: Double?
    /// The settings of backends without their own `[probes.backend.NAME]` table.
    public var defaults: BackendProbeSettings
    /// Per-backend settings, complete (defaults already applied), by backend name.
    public var backends: [String: BackendProbeSettings]
    /// When set, only these backends are probed; the servers of the others are listed as not probeable.
    public var onlyBackends: Set<String>?
    /// URLs probed through HAProxy's frontend, so a failure can be placed in HAProxy or in the application.
    public var frontends: [ProbeTarget]
    /// The HAProxy frontend each of ``frontends`` enters through, by URL, where the operator named it
    /// (`NAME=URL`, ``addFrontend(_:)``): `haws top` shows the probe on that frontend's row.
    public var frontendNames: [String: String]

    public static let defaultInterval: Duration = .seconds(10)
    public static let defaultJitter: Duration = .milliseconds(50)
    /// 3% of one core: a load balancer's monitor must not become its load. On this project's 2-core test machine
    /// that covers every server of a few hundred each interval and 10,000 servers within a few minutes.
    public static let defaultBudget = 0.03

    public init(
        interval: Duration = ProbeSettings.defaultInterval,
        concurrency: Int = Prober.defaultConcurrency,
        jitter: Duration = ProbeSettings.defaultJitter,
        options: ProbeOptions = ProbeOptions(),
        budget: Double? = ProbeSettings.defaultBudget,
        defaults: BackendProbeSettings = BackendProbeSettings(),
        backends: [String: BackendProbeSettings] = [:],
        onlyBackends: Set<String>? = nil,
        frontends: [ProbeTarget] = [],
        frontendNames: [String: String] = [:]
    ) {
        self.interval = interval
        self.concurrency = concurrency
        self.jitter = jitter
        self.options = options
        self.budget = budget
        self.defaults = defaults
        self.backends = backends
        self.onlyBackends = onlyBackends
        self.frontends = frontends
        self.frontendNames = frontendNames
    }

    /// Reads a budget as written in `[probes] budget` and `--probe-budget`: `3%` (of one core, from 0.1% to 100%) or
    /// `off` (every server every interval). Returns `.some(nil)` for `off`; `nil` with `problem` set when invalid.
    public static func budget(parsing text: String) -> Result<Double?, BudgetError> {
        let trimmed = String(text.filter { !$0.isWhitespace }).lowercased()
        if trimmed == "off" || trimmed == "none" {
            return .success(nil)
        }
        guard trimmed.hasSuffix("%"), let percent = Double(trimmed.dropLast()), percent.isFinite else {
            return .failure(BudgetError(text: text, reason: "is not a share of one core such as 3% (or off)"))
        }
        guard (0.1...100).contains(percent) else {
            return .failure(BudgetError(text: text, reason: "must be from 0.1% to 100% of one core (or off)"))
        }
        return .success(percent / 100)
    }

    /// A budget that does not read.
    public struct BudgetError: Error, Sendable, Hashable {
        public var text: String
        public var reason: String
        public var description: String { "'\(self.text)' \(self.reason)" }
    }

    /// The settings that apply to `backend`.
    public func settings(forBackend backend: String) -> BackendProbeSettings {
        self.backends[backend] ?? self.defaults
    }

    /// The options of a probe in `mode`.
    public func options(mode: ProbeOptions.Mode) -> ProbeOptions {
        var options = self.options
        options.mode = mode
        return options
    }
}

extension ProbeSettings {
    /// Splits a `--probe-frontend` or `[probes] frontend` value into the HAProxy frontend it names (if any) and the
    /// URL: `ws://127.0.0.1:80/chat`, or `ws_front=ws://127.0.0.1:80/chat`.
    ///
    /// HAProxy's stats say nothing of which frontend listens where, so only the operator can tie a URL to a frontend;
    /// the name is what lets `haws top` show the probe's verdict on that frontend's row. A value starting with a
    /// scheme has no name, so a URL never loses text to the split.
    public static func splitFrontend(_ text: String) -> (frontend: String?, url: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") {
            return (nil, text)
        }
        guard let equals = text.firstIndex(of: "=") else {
            return (nil, text)
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// Adds a frontend probe written as ``splitFrontend(_:)`` reads it, checking the name as HAProxy spells names.
    ///
    /// The same URL given twice is probed once (a second name for it replaces the first).
    public mutating func addFrontend(_ text: String) throws(ProbeTargetError) {
        let (name, url) = Self.splitFrontend(text)
        if let name {
            let allowed = name.allSatisfy { character in
                character.isASCII && (character.isLetter || character.isNumber || "._:-".contains(character))
            }
            guard !name.isEmpty, allowed else {
                throw ProbeTargetError(
                    "'\(name)' before '=' is not an HAProxy frontend name (letters, digits, . _ : -); "
                        + "write NAME=ws://...")
            }
        }
        let target = try ProbeTarget(url: url)
        if !self.frontends.contains(where: { $0.url == target.url }) {
            self.frontends.append(target)
        }
        if let name {
            self.frontendNames[target.url] = name
        }
    }
}
