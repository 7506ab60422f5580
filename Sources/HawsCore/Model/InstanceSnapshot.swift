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
    public var stats: StatsTable {
        didSet { tunnelBasis = Self.basis(of: stats) }
    }
    /// `show servers state`, by server; empty when not read.
    public var serverStates: [ServerKey: ServerStateRecord]
    /// Tunnels per server from the last `show sess all` of the current worker (exact when it was read, which
    /// may be several polls ago: see ``tunnelCount(of:)`` for what is shown).
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
    /// What this poll's commands cost (time and bytes each), for haws's own-cost report.
    public var commandCosts: [CommandCost] = []

    public init(
        instance: String, info: InstanceInfo? = nil, stats: StatsTable,
        serverStates: [ServerKey: ServerStateRecord] = [:], serverTunnels: [ServerKey: TunnelTally]? = nil,
        oldWorkerTunnels: [ServerKey: TunnelTally]? = nil, serverTunnelsUnavailable: TunnelDetailUnavailable? = nil,
        parseNotes: [String] = []
    ) {
        self.instance = instance
        self.info = info
        self.stats = stats
        self.tunnelBasis = Self.basis(of: stats)
        self.serverStates = serverStates
        self.serverTunnels = serverTunnels
        self.oldWorkerTunnels = oldWorkerTunnels
        self.serverTunnelsUnavailable = serverTunnelsUnavailable
        self.parseNotes = parseNotes
    }

    public var frontends: [Frontend] { stats.frontends }
    public var backends: [Backend] { stats.backends }

    /// What this poll's counters say about each backend's tunnels (see ``BackendTunnelBasis``), by name.
    /// Computed once per poll (when ``stats`` is set): one entry per backend.
    public private(set) var tunnelBasis: [String: BackendTunnelBasis]

    /// One server's tunnels: exact from the counters where they tell, else bounded by them and filled in
    /// by the last `show sess all`, plus what old workers still hold. `nil` when nothing can be counted.
    public func tunnelCount(of server: Server) -> TunnelCount? {
        tunnelCount(of: server, basis: tunnelBasis[server.backend])
    }

    /// ``tunnelCount(of:)`` with the backend's basis already looked up (a loop over a backend's servers).
    public func tunnelCount(of server: Server, basis: BackendTunnelBasis?) -> TunnelCount? {
        let key = server.key
        let dumped = serverTunnels?[key]
        let old = oldWorkerTunnels?[key]
        var count: TunnelCount
        if let basis {
            let bounds = basis.bounds(of: server)
            if bounds.lowerBound == bounds.upperBound {
                count = TunnelCount(count: bounds.lowerBound, lower: bounds.lowerBound, upper: bounds.upperBound, ages: dumped)
            } else if let serverTunnels {
                let fromDump = min(max(serverTunnels[key]?.count ?? 0, bounds.lowerBound), bounds.upperBound)
                count = TunnelCount(count: fromDump, lower: bounds.lowerBound, upper: bounds.upperBound, ages: dumped)
            } else {
                count = TunnelCount(count: bounds.lowerBound, lower: bounds.lowerBound, upper: bounds.upperBound)
            }
        } else if let serverTunnels {
            // No counters to derive from (a backend without its BACKEND row): the dump alone.
            let dumpedCount = serverTunnels[key]?.count ?? 0
            count = TunnelCount(count: dumpedCount, lower: dumpedCount, upper: dumpedCount, ages: dumped)
        } else {
            return nil
        }
        if let old, old.count > 0 {
            count.count += old.count
            count.lower += old.count
            count.upper += old.count
            count.ages = (count.ages ?? TunnelTally(count: count.count - old.count)) + old
        }
        return count
    }

    /// What a drain waits on for one server: its tunnels where they are known (exact from the counters, or a
    /// session list was read), otherwise every session it holds. Without a session list a count within bounds is
    /// only the lower bound: a drain that waited on it could report zero, and switch to MAINT, while tunnels are
    /// still open. `haws drain` and `haws top` both follow it, on every reading.
    public func drainCount(of server: Server) -> DrainCount {
        if let count = tunnelCount(of: server), count.isExact || serverTunnels != nil {
            return DrainCount(value: count.count, countsSessions: false)
        }
        return DrainCount(value: server.sessions, countsSessions: true)
    }

    /// ``tunnels(of:)`` by name (a linear search of the backend: for one server at a time, not for loops).
    public func tunnels(of key: ServerKey) -> TunnelTally? {
        guard let backend = stats.backends.first(where: { $0.name == key.backend }),
            let server = backend.servers.first(where: { $0.name == key.server })
        else { return nil }
        return tunnels(of: server)
    }

    /// The tunnels shown for one server (``tunnelCount(of:)``'s number, with ages from the last dump).
    public func tunnels(of server: Server) -> TunnelTally? {
        tunnelCount(of: server)?.tally
    }

    /// Tunnels of a backend, fresh on every poll from its counters (plus old workers' tunnels); from the
    /// last `show sess all` only where its counters cannot tell.
    public func tunnels(of backend: Backend) -> Int? {
        let old = oldWorkerTunnels == nil ? 0 : oldWorkerTunnelTotal(of: backend.name)
        if let basis = tunnelBasis[backend.name] {
            if basis.otherSessions == nil, let serverTunnels {
                let dumped = backend.servers.reduce(0) { $0 + (serverTunnels[$1.key]?.count ?? 0) }
                return min(dumped, basis.tunnels) + old
            }
            return basis.tunnels + old
        }
        if let serverTunnels {
            if serverTunnels.isEmpty, old == 0 { return 0 }
            return backend.servers.reduce(0) { $0 + (serverTunnels[$1.key]?.count ?? 0) } + old
        }
        // No `scur` to tell tunnels from other sessions: the backend total from its upgrade counters alone.
        return TunnelCounter.openTunnels(of: backend).map { $0 + old }
    }

    /// Whether a `show sess all` would tell more than this poll's counters: some server's tunnels are only
    /// bounded (HTTP requests in flight beside tunnels on its backend).
    public var needsSessionDump: Bool {
        tunnelBasis.values.contains { $0.needsSessionDump }
    }

    /// How the per-server counts of this snapshot are known: `per-server` (every server exact, from the
    /// counters or a dump), `bounds` (some servers only bounded), `per-backend` (no server counts at all).
    public var tunnelDetail: String {
        let basis = tunnelBasis
        if basis.isEmpty { return serverTunnels == nil ? "per-backend" : "per-server" }
        if serverTunnels != nil { return "per-server" }
        return basis.values.contains(where: \.needsSessionDump) ? "bounds" : "per-server"
    }

    /// Total of old-worker tunnels (all backends), shown apart in headers ("old workers: 58 tunnels").
    /// ``oldWorkerTunnels`` misses the tunnels of at least one old worker that could not be read.
    public var oldWorkerTunnelsArePartial: Bool { oldWorkerTunnels != nil && !oldWorkersUnread.isEmpty }

    public var oldWorkerTunnelTotal: Int {
        oldWorkerTunnels?.values.reduce(0) { $0 + $1.count } ?? 0
    }

    /// Old-worker tunnels of one backend, including servers that no longer exist in the new configuration.
    private func oldWorkerTunnelTotal(of backend: String) -> Int {
        guard let oldWorkerTunnels else { return 0 }
        return oldWorkerTunnels.reduce(0) { $0 + ($1.key.backend == backend ? $1.value.count : 0) }
    }

    static func basis(of stats: StatsTable) -> [String: BackendTunnelBasis] {
        var basis: [String: BackendTunnelBasis] = [:]
        basis.reserveCapacity(stats.backends.count)
        for backend in stats.backends {
            if let value = BackendTunnelBasis(backend) { basis[backend.name] = value }
        }
        return basis
    }

    /// The server's address: `addr` from the CSV, else `show servers state`.
    public func address(of server: Server) -> String? {
        server.address ?? serverStates[server.key]?.endpoint
    }

    /// At least how many streams `show sess all` would list, so what a dump would cost: HAProxy's current
    /// connections (`CurrConns`), or the streams the backends hold (their `scur`) when more. Over HTTP/2 one
    /// connection carries up to `tune.h2.max-concurrent-streams` streams (100,000 tunnels on 100 connections),
    /// so the connection count alone would call a dump of 100,000 streams cheap. `nil` without either figure.
    public var streamsAtLeast: Int? {
        let backendStreams = stats.backends.reduce(0) { $0 + $1.sessions }
        switch (info?.currentConnections, stats.backends.isEmpty) {
        case (let connections?, _): return max(connections, backendStreams)
        case (nil, false): return backendStreams
        case (nil, true): return nil
        }
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
