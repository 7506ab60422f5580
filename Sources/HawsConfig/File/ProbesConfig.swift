import HawsCore
import HawsProbe

/// The `[probes]` section of the config file: how haws probes the WebSocket servers it discovers in HAProxy.
///
/// ```toml
/// [probes]
/// interval = "10s"            # time between rounds (haws agent, haws top)
/// continuous = true           # false: haws agent and haws top do not probe (status --probe still does)
/// mode = "full"               # or "connect-only"
/// timeout = "5s"              # whole-probe deadline
/// concurrency = 64            # probes in flight
/// budget = "3%"               # CPU share of one core continuous probing may use ("off": no limit)
/// frontend = "ws://127.0.0.1:80/chat"   # also probe through HAProxy itself (a string or an array);
///                                      # "ws_front=ws://..." names the frontend, for haws top
/// backends = ["ws_chat"]      # optional: probe only these backends
/// path = "/ws"                # request defaults for every backend (also host, origin, tls, ...)
///
/// [probes.backend.ws_chat]
/// path = "/chat"
/// host = "chat.example.com"
/// subprotocols = ["chat.v1"]
/// tls = false
/// ```
///
/// This reader checks types and everything it can check on its own, naming the file and the key. Values only the
/// probe engine can judge (a `ws://` URL, a regular expression) are kept as written, with ``location(of:)`` so the
/// caller's errors point at the same place.
public struct ProbesConfig: Sendable, Hashable {
    /// The request a backend's servers get; `nil` fields fall back to the `[probes]` defaults, then to built-ins.
    public struct Request: Sendable, Hashable {
        /// Where it was written: `[probes]` or `[probes.backend.ws_chat]`.
        public var location: String
        /// `false`: list the backend's servers as not probeable (plain HTTP backends).
        public var enabled: Bool?
        public var path: String?
        /// The `Host` header.
        public var host: String?
        public var origin: String?
        public var tls: Bool?
        /// The TLS SNI name (default: `host` without its port).
        public var serverName: String?
        public var subprotocols: [String]?
        public var headers: [Header]?
        /// A fixed port to probe, for servers HAProxy reaches on the client's port (port 0) or a mapped port.
        public var port: Int?
        /// `full` or `connect-only`.
        public var mode: String?

        public init(location: String) {
            self.location = location
        }

        /// This request with every unset field taken from `defaults`.
        public func applying(defaults: Request) -> Request {
            var merged = self
            merged.enabled = self.enabled ?? defaults.enabled
            merged.path = self.path ?? defaults.path
            merged.host = self.host ?? defaults.host
            merged.origin = self.origin ?? defaults.origin
            merged.tls = self.tls ?? defaults.tls
            merged.serverName = self.serverName ?? defaults.serverName
            merged.subprotocols = self.subprotocols ?? defaults.subprotocols
            merged.headers = self.headers ?? defaults.headers
            merged.port = self.port ?? defaults.port
            merged.mode = self.mode ?? defaults.mode
            return merged
        }
    }

    /// One extra request header, written `"Name: value"`.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// The keys `[probes]` itself may hold (besides the request keys, which it holds as defaults).
    public static let sectionKeys: [String] = [
        "interval", "continuous", "timeout", "jitter", "concurrency", "budget", "frontend", "backends", "ca_file", "cert_file",
        "key_file", "insecure", "message", "expect", "backend",
    ]
    /// The keys of a request: `[probes.backend.NAME]`, and defaults in `[probes]`.
    public static let requestKeys: [String] = [
        "path", "host", "origin", "tls", "server_name", "subprotocols", "headers", "port", "mode",
    ]
    /// Only per backend.
    public static let backendOnlyKeys: [String] = ["enabled"]
    /// `mode` values.
    public static let modes: [String] = ["full", "connect-only"]

    public var file: String
    /// Where `[probes]` is, for messages.
    public var location: String
    /// Time between rounds.
    public var interval: Duration?
    /// `false`: `haws agent` and `haws top` run no probe rounds (`haws status --probe` is an explicit request and
    /// still probes); `nil` or `true`: they probe every ``interval``.
    public var continuous: Bool?
    /// Whole-probe deadline.
    public var timeout: Duration?
    /// Random start delay bound per probe.
    public var jitter: Duration?
    /// Probes in flight.
    public var concurrency: Int?
    /// The CPU budget of continuous probing: `.some(nil)` is `off`, `nil` not written.
    public var budget: Double??
    /// `ws://` or `wss://` URLs probed through HAProxy's frontend, each optionally `NAME=` the frontend it enters.
    public var frontends: [String]
    /// When set, only these backends are probed.
    public var onlyBackends: [String]?
    /// TLS for `wss://` probes.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var insecure: Bool?
    /// A text message to send after the pong (full mode), and the regular expression its reply must match.
    public var message: String?
    public var expect: String?
    /// Request defaults written directly in `[probes]` (their `mode` is the global mode).
    public var defaults: Request
    /// `[probes.backend.NAME]`, as written (see ``request(forBackend:)`` for the merged value).
    public var backends: [String: Request]

    /// Reads `[probes]` (``HawsConfigFile/otherSections``), rejecting unknown keys and wrong types.
    public init(reading original: ConfigTable) throws(ConfigFileError) {
        var table = original
        self.file = table.file
        self.location = table.location.isEmpty ? "[probes]" : table.location
        self.interval = try table.positiveDuration("interval")
        self.continuous = try table.boolean("continuous")
        self.timeout = try table.positiveDuration("timeout")
        self.jitter = try table.duration("jitter")
        self.concurrency = try table.integer("concurrency")
        if let concurrency = self.concurrency, !(1...10_000).contains(concurrency) {
            throw table.invalidValue("concurrency", "must be from 1 to 10000 probes in flight, not \(concurrency)")
        }
        if let text = try table.string("budget") {
            switch ProbeSettings.budget(parsing: text) {
            case .success(let budget): self.budget = .some(budget)
            case .failure(let error): throw table.invalidValue("budget", error.description)
            }
        }
        self.frontends = try table.strings("frontend", acceptingSingle: true) ?? []
        for text in self.frontends {
            let url = ProbeSettings.splitFrontend(text).url.lowercased()
            if !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
                throw table.invalidValue("frontend", "'\(text)' is not a ws:// or wss:// URL (or NAME=URL)")
            }
        }
        self.onlyBackends = try table.strings("backends")
        self.caFile = try table.string("ca_file")
        self.certFile = try table.string("cert_file")
        self.keyFile = try table.string("key_file")
        self.insecure = try table.boolean("insecure")
        if (self.certFile == nil) != (self.keyFile == nil) {
            throw table.invalidValue(
                self.certFile == nil ? "key_file" : "cert_file",
                "cert_file and key_file go together (a client certificate and its key)"
            )
        }
        self.message = try table.string("message")
        self.expect = try table.string("expect")
        if self.expect != nil, self.message == nil {
            throw table.invalidValue("expect", "expect needs message: the text whose reply it checks")
        }
        self.defaults = try Self.readRequest(&table, location: self.location)

        var backends: [String: Request] = [:]
        if let backendTable = try table.table("backend") {
            let parent = "\(self.location.dropLast()).backend]"
            for name in backendTable.values.keys.sorted() {
                let location = "[probes.backend.\(Self.quotedIfNeeded(name))]"
                guard case .table(let values) = backendTable.values[name] else {
                    throw ConfigFileError(
                        .wrongType,
                        file: table.file,
                        at: "\(parent), key \(name)",
                        "expected a table: write [probes.backend.\(Self.quotedIfNeeded(name))] and its keys below it"
                    )
                }
                var backend = ConfigTable(file: table.file, location: location, values: values)
                var request = try Self.readRequest(&backend, location: location)
                request.enabled = try backend.boolean("enabled")
                try backend.rejectUnknownKeys(known: Self.requestKeys + Self.backendOnlyKeys)
                backends[name] = request
            }
        }
        self.backends = backends
        try table.rejectUnknownKeys(known: Self.sectionKeys + Self.requestKeys)
    }

    /// The request for `backend`: its own table merged over the defaults.
    public func request(forBackend backend: String) -> Request {
        self.backends[backend]?.applying(defaults: self.defaults) ?? self.defaults
    }

    /// `[probes], key frontend` or `[probes.backend.ws_chat], key path`: where a value was written, for errors the
    /// caller raises after checking it further.
    public func location(of key: String, in request: Request? = nil) -> String {
        "\((request?.location ?? self.location)), key \(key)"
    }

    /// An error about a value of this section, in the config file's usual form.
    public func invalidValue(_ key: String, in request: Request? = nil, _ problem: String) -> ConfigFileError {
        ConfigFileError(.invalidValue, file: self.file, at: self.location(of: key, in: request), problem)
    }

    private static func readRequest(_ table: inout ConfigTable, location: String) throws(ConfigFileError) -> Request {
        var request = Request(location: location)
        request.path = try table.string("path")
        if let path = request.path, !path.hasPrefix("/") || path.contains(where: { $0.isWhitespace || $0 == "#" }) {
            throw table.invalidValue("path", "'\(path)' must start with '/' and have no spaces or fragment")
        }
        request.host = try table.string("host")
        request.origin = try table.string("origin")
        request.serverName = try table.string("server_name")
        for (key, value) in [("host", request.host), ("origin", request.origin), ("server_name", request.serverName)] {
            if let value, value.isEmpty || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            {
                throw table.invalidValue(key, "must be a non-empty header value without control characters")
            }
        }
        request.tls = try table.boolean("tls")
        request.subprotocols = try table.strings("subprotocols")
        if let headers = try table.strings("headers") {
            var parsed: [Header] = []
            for line in headers {
                guard let header = Self.header(line) else {
                    throw table.invalidValue("headers", "'\(line)' is not 'Name: value'")
                }
                parsed.append(header)
            }
            request.headers = parsed
        }
        request.port = try table.integer("port")
        if let port = request.port, !(1...65_535).contains(port) {
            throw table.invalidValue("port", "must be from 1 to 65535, not \(port)")
        }
        request.mode = try table.string("mode")
        if let mode = request.mode, !Self.modes.contains(mode.lowercased().replacing("_", with: "-")) {
            throw table.invalidValue("mode", "'\(mode)' is not one of \(Self.modes.joined(separator: ", "))")
        }
        return request
    }

    /// Splits `Name: value` at the first colon; the name must be non-empty and without spaces.
    public static func header(_ line: String) -> Header? {
        guard let colon = line.firstIndex(of: ":") else {
            return nil
        }
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace }) else {
            return nil
        }
        return Header(name: name, value: value)
    }

    /// Backend names with dots must be quoted in a TOML table header.
    private static func quotedIfNeeded(_ name: String) -> String {
        name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } ? name : "\"\(name)\""
    }
}

extension HawsConfigFile {
    /// The `[probes]` section, read and checked; `nil` when the file has none.
    public func probes() throws(ConfigFileError) -> ProbesConfig? {
        guard let section = self.otherSections["probes"] else {
            return nil
        }
        return try ProbesConfig(reading: section)
    }
}
