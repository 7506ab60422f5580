/// Why per-server tunnel counts are missing from a snapshot.
public struct TunnelDetailUnavailable: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public static let needsOperator = TunnelDetailUnavailable(
        description: "per-server tunnel counts need an operator or admin socket (`show sess all` was refused)")
    public static let noSocket = TunnelDetailUnavailable(
        description: "per-server tunnel counts need a runtime API socket (--socket); the stats page gives per-backend counts only")
    public static func failed(_ reason: String) -> TunnelDetailUnavailable {
        TunnelDetailUnavailable(description: "per-server tunnel counts unavailable: \(reason)")
    }
}

/// Everything read from one HAProxy instance in one poll: the typed model haws works on.
public struct InstanceSnapshot: Sendable {
    /// The configured name of the instance (from the config file or derived from its endpoint).
    public var instance: String
    /// `show info`; `nil` when only the stats page is configured.
    public var info: InstanceInfo?
    public var stats: StatsTable
    /// `show servers state`, by server; empty when not read.
    public var serverStates: [ServerKey: ServerStateRecord]
    /// Exact tunnels per server from `show sess all` of the current worker(s).
    public var serverTunnels: [ServerKey: TunnelTally]?
    /// Tunnels still held by old workers after a reload (master-worker mode), per server.
    public var oldWorkerTunnels: [ServerKey: TunnelTally]?
    /// The old workers whose `show sess all` failed (or `show proc` itself), one line each: when not empty,
    /// ``oldWorkerTunnels`` counts only the others and is shown as partial, never as complete.
    public var oldWorkersUnread: [String] = []
    /// Why ``serverTunnels`` is `nil`.
    public var serverTunnelsUnavailable: TunnelDetailUnavailable?
    /// Rows or lines that could not be parsed, by source; reported, never fatal.
    public var parseNotes: [String]

    public init(
        instance: String, info: InstanceInfo? = nil, stats: StatsTable,
        serverStates: [ServerKey: ServerStateRecord] = [:], serverTunnels: [ServerKey: TunnelTally]? = nil,
        oldWorkerTunnels: [ServerKey: TunnelTally]? = nil, serverTunnelsUnavailable: TunnelDetailUnavailable? = nil,
        parseNotes: [String] = []
    ) {
        self.instance = instance
        self.info = info
        self.stats = stats
        self.serverStates = serverStates
        self.serverTunnels = serverTunnels
        self.oldWorkerTunnels = oldWorkerTunnels
        self.serverTunnelsUnavailable = serverTunnelsUnavailable
        self.parseNotes = parseNotes
    }

    public var frontends: [Frontend] { stats.frontends }
    public var backends: [Backend] { stats.backends }

    /// Tunnels of one server: current workers plus old workers, or `nil` when not countable.
    public func tunnels(of key: ServerKey) -> TunnelTally? {
        guard let serverTunnels else { return nil }
        let current = serverTunnels[key] ?? TunnelTally()
        guard let old = oldWorkerTunnels?[key] else { return current }
        return current + old
    }

    /// Tunnels of a backend: the exact per-server sum when `show sess all` was read, otherwise the
    /// counter-derived estimate (current worker only).
    public func tunnels(of backend: Backend) -> Int? {
        if let serverTunnels {
            // No tunnel anywhere (an idle fleet, most of the time): no lookup per server.
            if serverTunnels.isEmpty, oldWorkerTunnels?.isEmpty ?? true { return 0 }
            return backend.servers.reduce(0) { $0 + (tunnels(of: $1.key)?.count ?? 0) }
                + oldWorkerTunnelsOutsideServers(of: backend.name)
        }
        return TunnelCounter.openTunnels(of: backend)
    }

    /// Total of old-worker tunnels (all backends), shown apart in headers ("old workers: 58 tunnels").
    /// ``oldWorkerTunnels`` misses the tunnels of at least one old worker that could not be read.
    public var oldWorkerTunnelsArePartial: Bool { oldWorkerTunnels != nil && !oldWorkersUnread.isEmpty }

    public var oldWorkerTunnelTotal: Int {
        oldWorkerTunnels?.values.reduce(0) { $0 + $1.count } ?? 0
    }

    /// Old-worker tunnels on servers that no longer exist in the new configuration.
    private func oldWorkerTunnelsOutsideServers(of backend: String) -> Int {
        guard let oldWorkerTunnels else { return 0 }
        let known = Set(stats.backends.first { $0.name == backend }?.servers.map(\.name) ?? [])
        return oldWorkerTunnels.filter { $0.key.backend == backend && !known.contains($0.key.server) }
            .reduce(0) { $0 + $1.value.count }
    }

    /// The server's address: `addr` from the CSV, else `show servers state`.
    public func address(of server: Server) -> String? {
        server.address ?? serverStates[server.key]?.endpoint
    }

    /// Total tunnels of the instance.
    public var totalTunnels: Int? {
        var total = 0
        var any = false
        for backend in stats.backends {
            if let count = tunnels(of: backend) {
                total += count
                any = true
            }
        }
        return any ? total : nil
    }
}
