import HawsCore
import HawsMonitor
import NIOCore

/// Adds samples of families the agent core does not own (probe latencies, later) to a scrape.
public typealias AgentMetricsContributor = @Sendable (inout PrometheusExposition) -> Void

/// Turns what the agent observed into `/metrics`: the same engine state the NDJSON lines come from, so
/// both outputs always agree.
///
/// Counters are HAProxy's own cumulative counters (they reset on reload; Prometheus' `rate()` handles
/// that); tunnels, sessions and states are gauges. An instance whose last poll failed exports only its
/// instance series (`haws_instance_up 0`, polls, reloads): stale figures are not passed off as current.
///
/// Cardinality: per-server series are written while the reachable instances hold at most
/// `maxServerSeries` servers in total; beyond that only backend series (with `haws_backend_servers` per
/// state) are written and `haws_agent_series_truncated` is 1.
///
/// Streaming: ``write(_:maxServerSeries:contributors:to:)`` hands each server family over as soon as it is
/// written (about a megabyte each at 10,000 servers), so a scrape never holds the whole text (ten megabytes)
/// at once; ``build(_:maxServerSeries:contributors:)`` keeps everything, for tests and small callers.
public enum AgentExposition {
    public static func build(
        _ observed: AgentObservations.Snapshot, maxServerSeries: Int, contributors: [AgentMetricsContributor] = []
    ) -> PrometheusExposition {
        var out = PrometheusExposition()
        fill(&out, observed, maxServerSeries: maxServerSeries, contributors: contributors) { _ in }
        return out
    }

    /// Writes the exposition through `emit` in pieces (each family's `# HELP`/`# TYPE` and samples, whole
    /// families only), in an order that keeps every family contiguous.
    public static func write(
        _ observed: AgentObservations.Snapshot, maxServerSeries: Int, contributors: [AgentMetricsContributor] = [],
        to emit: (ByteBuffer) -> Void
    ) {
        var out = PrometheusExposition()
        fill(&out, observed, maxServerSeries: maxServerSeries, contributors: contributors) { out in
            out.drain().forEach(emit)
        }
        out.drain().forEach(emit)
    }

    /// Adds every family to `out`; calls `flush` after each server family, when `out` holds only whole
    /// families that nothing later adds to.
    private static func fill(
        _ out: inout PrometheusExposition, _ observed: AgentObservations.Snapshot, maxServerSeries: Int,
        contributors: [AgentMetricsContributor], flush: (inout PrometheusExposition) -> Void
    ) {
        let instances = observed.state?.instances ?? []
        let current = instances.compactMap { live in SnapshotLine.isCurrent(live) ? live.snapshot : nil }
        let serverCount = current.reduce(0) { $0 + $1.backends.reduce(0) { $0 + $1.servers.count } }
        let perServer = serverCount <= maxServerSeries

        var backendRows: [BackendSeries] = []
        var serverRows = ServerSeries()
        serverRows.labels.reserveCapacity(perServer ? serverCount : 0)
        for live in instances {
            let instance: PrometheusExposition.Labels = [("instance", live.name)]
            let snapshot = SnapshotLine.isCurrent(live) ? live.snapshot : nil
            out.add(.instanceUp, instance, snapshot == nil ? 0 : 1)
            out.add(.instancePolls, instance, live.polls)
            out.add(.instancePollErrors, instance, live.failedPolls)
            out.add(.instanceReloads, instance, observed.reloads[live.name] ?? 0)
            if let histogram = observed.statsPollDurations[live.name] {
                out.addHistogram(.pollDuration, instance + [("poll", "stats")], histogram)
            }
            if let histogram = observed.sessionsPollDurations[live.name] {
                out.addHistogram(.pollDuration, instance + [("poll", "sessions")], histogram)
            }
            addCost(live.cost, labels: instance, into: &out)
            guard let snapshot else { continue }
            addInstance(snapshot, labels: instance, into: &out)
            let instanceLabels = LabelSet(instance)
            for backend in snapshot.backends {
                let labels = instanceLabels.appending("backend", backend.name)
                backendRows.append(BackendSeries(backend: backend, labels: labels, tunnels: snapshot.tunnels(of: backend)))
                guard perServer else { continue }
                for server in backend.servers {
                    serverRows.append(
                        server, labels: labels.appending("server", server.name), tunnels: snapshot.tunnels(of: server))
                }
            }
        }
        addBackends(backendRows, into: &out)
        out.add(.seriesTruncated, [], perServer ? 0 : 1)
        out.add(.outputErrors, [], observed.outputErrors)
        out.add(.outputBytes, [], observed.outputBytes)
        for contribute in contributors {
            contribute(&out)
        }
        // Everything above is small (instances, backends, contributors' families): sent first, whole. Server
        // families follow one by one, each sent before the next is written.
        flush(&out)
        addServers(serverRows, into: &out, flush: flush)
    }

    /// A backend with its labels rendered once for all of its families.
    private struct BackendSeries {
        let backend: Backend
        let labels: LabelSet
        let tunnels: Int?
    }

    /// Every exported server's figures, read once per scrape, with its labels rendered once and its tunnels
    /// looked up once, in snapshot order. Each family then loops over these small values: looping over the
    /// `Server` values themselves copied each one (hundreds of bytes) once per family.
    private struct ServerSeries {
        struct Figures {
            var up: Int
            var state: ServerStateLabel?
            var checkPassed: Int?
            var weight: Int
            var sessions: Int
            var sessionsTotal: Int
            var upgrades: Int
            var bytesIn: Int
            var bytesOut: Int
            var errors: Int
        }

        var labels: [LabelSet] = []
        var tunnels: [TunnelTally?] = []
        var figures: [Figures] = []

        var isEmpty: Bool { labels.isEmpty }

        mutating func append(_ server: Server, labels: LabelSet, tunnels: TunnelTally?) {
            self.labels.append(labels)
            self.tunnels.append(tunnels)
            let checkPassed: Int?
            switch server.check?.outcome {
            case .passed?: checkPassed = 1
            case .failed?: checkPassed = 0
            case .initializing?, .unknown?, nil: checkPassed = nil
            }
            figures.append(
                Figures(
                    up: server.status.isAlive && server.status.admin != .maint ? 1 : 0,
                    state: ServerStateLabel(server.status), checkPassed: checkPassed, weight: server.weight,
                    sessions: server.sessions, sessionsTotal: server.totalSessions,
                    upgrades: server.responses.informational, bytesIn: server.bytesIn, bytesOut: server.bytesOut,
                    errors: server.errors))
        }

        /// Bytes to reserve for one sample per server of `family`: its labels, name, value and `extra`.
        func capacity(for family: MetricFamily, extra: Int = 0) -> Int {
            labelBytes + labels.count * (family.name.count + extra + 24)
        }

        private var labelBytes: Int { labels.reduce(0) { $0 + $1.rendered.count } }
    }

    /// `state="up"`, `state="down"`, ... rendered once per scrape.
    private static let stateLabels: [(state: ServerStateLabel, labels: LabelSet)] = ServerStateLabel.allCases.map {
        ($0, LabelSet([("state", $0.rawValue)]))
    }

    /// What watching the instance costs: per command since start, and the `show sess all` schedule.
    private static func addCost(
        _ cost: InstanceCost, labels: PrometheusExposition.Labels, into out: inout PrometheusExposition
    ) {
        for (command, totals) in cost.totals.sorted(by: { $0.key < $1.key }) {
            let commandLabels = labels + [("command", command)]
            out.add(.commandSeconds, commandLabels, totals.seconds)
            out.add(.commandBytes, commandLabels, totals.bytes)
            out.add(.commands, commandLabels, totals.calls)
        }
        if let dump = cost.lastSessionDump {
            out.add(.sessionsDumpSeconds, labels, dump.seconds)
            out.add(.sessionsDumpHAProxySeconds, labels, dump.haproxySeconds)
        }
        if let interval = cost.sessionInterval {
            out.add(.sessionsDumpInterval, labels, interval.seconds)
            out.add(.sessionsDumpStretched, labels, cost.sessionIntervalStretched ? 1 : 0)
        }
    }

    private static func addInstance(
        _ snapshot: InstanceSnapshot, labels: PrometheusExposition.Labels, into out: inout PrometheusExposition
    ) {
        if let info = snapshot.info {
            out.add(.instanceInfo, labels + [("version", info.version ?? ""), ("node", info.node ?? "")], 1)
            if let uptime = info.uptimeSeconds { out.add(.instanceUptime, labels, uptime) }
            if let connections = info.currentConnections { out.add(.instanceConnections, labels, connections) }
            if let limit = info.maxConnections { out.add(.instanceMaxConnections, labels, limit) }
        }
        if let tunnels = snapshot.totalTunnels { out.add(.instanceTunnels, labels, tunnels) }
        if snapshot.oldWorkerTunnels != nil {
            out.add(.oldWorkerTunnels, labels, snapshot.oldWorkerTunnelTotal)
            out.add(.oldWorkerTunnelsPartial, labels, snapshot.oldWorkerTunnelsArePartial ? 1 : 0)
        }
    }

    /// Backend families, one pass per family so that each family's samples stay contiguous.
    private static func addBackends(_ rows: [BackendSeries], into out: inout PrometheusExposition) {
        guard !rows.isEmpty else { return }
        let withRow = rows.filter { $0.backend.hasStatsRow }
        func each(_ family: MetricFamily, _ value: (Backend) -> Int) {
            guard !withRow.isEmpty else { return }
            out.withFamily(family) { writer in
                for row in withRow { writer.sample(row.labels, value(row.backend)) }
            }
        }
        each(.backendUp) { $0.status.uppercased().hasPrefix("UP") ? 1 : 0 }
        each(.backendSessions) { $0.sessions }
        each(.backendSessionsTotal) { $0.totalSessions }
        each(.backendBytesIn) { $0.bytesIn }
        each(.backendBytesOut) { $0.bytesOut }
        each(.backendErrors) { $0.errors }
        let withServers = rows.filter { !$0.backend.servers.isEmpty }
        if !withServers.isEmpty {
            out.withFamily(.backendServers) { writer in
                for row in withServers {
                    var states = [Int](repeating: 0, count: ServerStateLabel.allCases.count)
                    for server in row.backend.servers {
                        if let state = ServerStateLabel(server.status) { states[state.position] += 1 }
                    }
                    for (state, labels) in stateLabels {
                        writer.sample(row.labels, extra: labels, states[state.position])
                    }
                }
            }
            out.withFamily(.backendUpgrades) { writer in
                for row in withServers {
                    writer.sample(row.labels, row.backend.servers.reduce(0) { $0 + $1.responses.informational })
                }
            }
        }
        let withTunnels = rows.filter { $0.tunnels != nil }
        if !withTunnels.isEmpty {
            out.withFamily(.backendTunnels) { writer in
                for row in withTunnels { writer.sample(row.labels, row.tunnels ?? 0) }
            }
        }
    }

    /// Server families, one pass per family.
    private static func addServers(
        _ rows: ServerSeries, into out: inout PrometheusExposition, flush: (inout PrometheusExposition) -> Void
    ) {
        guard !rows.isEmpty else { return }
        func each(_ family: MetricFamily, _ value: (ServerSeries.Figures) -> Int?) {
            out.withFamily(family, reservingCapacity: rows.capacity(for: family)) { writer in
                for (position, figures) in rows.figures.enumerated() {
                    if let value = value(figures) { writer.sample(rows.labels[position], value) }
                }
            }
            flush(&out)
        }
        each(.serverUp) { $0.up }
        // The current state only: a server in `drain` has `state="drain"} 1` and no zero series for the seven
        // other states (Prometheus' staleness markers end the old state's series when it changes). Writing
        // all eight was nearly half of a scrape's samples at 10,000 servers.
        out.withFamily(.serverState, reservingCapacity: rows.capacity(for: .serverState, extra: 20)) { writer in
            for (position, figures) in rows.figures.enumerated() {
                guard let state = figures.state else { continue }
                writer.sample(rows.labels[position], extra: stateLabels[state.position].labels, 1)
            }
        }
        flush(&out)
        each(.serverCheckPassed) { $0.checkPassed }
        each(.serverWeight) { $0.weight }
        each(.serverSessions) { $0.sessions }
        each(.serverSessionsTotal) { $0.sessionsTotal }
        if rows.tunnels.contains(where: { $0 != nil }) {
            out.withFamily(.serverTunnels, reservingCapacity: rows.capacity(for: .serverTunnels)) { writer in
                for (position, tally) in rows.tunnels.enumerated() {
                    if let tally { writer.sample(rows.labels[position], tally.count) }
                }
            }
            flush(&out)
            out.withFamily(.serverOldestTunnel, reservingCapacity: rows.capacity(for: .serverOldestTunnel)) { writer in
                for (position, tally) in rows.tunnels.enumerated() {
                    if let tally { writer.sample(rows.labels[position], tally.oldestSeconds ?? 0) }
                }
            }
            flush(&out)
        }
        each(.serverUpgrades) { $0.upgrades }
        each(.serverBytesIn) { $0.bytesIn }
        each(.serverBytesOut) { $0.bytesOut }
        each(.serverErrors) { $0.errors }
    }
}

extension ServerStateLabel {
    /// Index in ``allCases``, for per-state tallies in an array.
    fileprivate var position: Int {
        switch self {
        case .up: 0
        case .down: 1
        case .goingUp: 2
        case .goingDown: 3
        case .nolb: 4
        case .noCheck: 5
        case .drain: 6
        case .maint: 7
        }
    }
}
