import HawsCore
import HawsMonitor

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
public enum AgentExposition {
    public static func build(
        _ observed: AgentObservations.Snapshot, maxServerSeries: Int, contributors: [AgentMetricsContributor] = []
    ) -> PrometheusExposition {
        var out = PrometheusExposition()
        let instances = observed.state?.instances ?? []
        let current = instances.compactMap { live in SnapshotLine.isCurrent(live) ? live.snapshot : nil }
        let serverCount = current.reduce(0) { $0 + $1.backends.reduce(0) { $0 + $1.servers.count } }
        let perServer = serverCount <= maxServerSeries

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
            guard let snapshot else { continue }
            addInstance(snapshot, labels: instance, into: &out)
            for backend in snapshot.backends {
                addBackend(backend, of: snapshot, instance: live.name, into: &out)
                guard perServer else { continue }
                for server in backend.servers {
                    addServer(server, of: snapshot, instance: live.name, into: &out)
                }
            }
        }
        out.add(.seriesTruncated, [], perServer ? 0 : 1)
        out.add(.outputErrors, [], observed.outputErrors)
        for contribute in contributors {
            contribute(&out)
        }
        return out
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
        if snapshot.oldWorkerTunnels != nil { out.add(.oldWorkerTunnels, labels, snapshot.oldWorkerTunnelTotal) }
    }

    private static func addBackend(
        _ backend: Backend, of snapshot: InstanceSnapshot, instance: String, into out: inout PrometheusExposition
    ) {
        let labels: PrometheusExposition.Labels = [("instance", instance), ("backend", backend.name)]
        if backend.row != nil {
            out.add(.backendUp, labels, backend.status.uppercased().hasPrefix("UP") ? 1 : 0)
            out.add(.backendSessions, labels, backend.sessions)
            out.add(.backendSessionsTotal, labels, backend.totalSessions)
            out.add(.backendBytesIn, labels, backend.bytesIn)
            out.add(.backendBytesOut, labels, backend.bytesOut)
            out.add(.backendErrors, labels, backend.errors)
        }
        if !backend.servers.isEmpty {
            var states: [ServerStateLabel: Int] = [:]
            for server in backend.servers {
                if let state = ServerStateLabel(server.status) { states[state, default: 0] += 1 }
            }
            for state in ServerStateLabel.allCases {
                out.add(.backendServers, labels + [("state", state.rawValue)], states[state] ?? 0)
            }
            out.add(.backendUpgrades, labels, backend.servers.reduce(0) { $0 + $1.responses.informational })
        }
        if let tunnels = snapshot.tunnels(of: backend) { out.add(.backendTunnels, labels, tunnels) }
    }

    private static func addServer(
        _ server: Server, of snapshot: InstanceSnapshot, instance: String, into out: inout PrometheusExposition
    ) {
        let labels: PrometheusExposition.Labels = [
            ("instance", instance), ("backend", server.backend), ("server", server.name),
        ]
        out.add(.serverUp, labels, server.status.isAlive && server.status.admin != .maint ? 1 : 0)
        let current = ServerStateLabel(server.status)
        for state in ServerStateLabel.allCases {
            out.add(.serverState, labels + [("state", state.rawValue)], state == current ? 1 : 0)
        }
        switch server.check?.outcome {
        case .passed?: out.add(.serverCheckPassed, labels, 1)
        case .failed?: out.add(.serverCheckPassed, labels, 0)
        case .initializing?, .unknown?, nil: break
        }
        out.add(.serverWeight, labels, server.weight)
        out.add(.serverSessions, labels, server.sessions)
        out.add(.serverSessionsTotal, labels, server.totalSessions)
        if let tally = snapshot.tunnels(of: server.key) {
            out.add(.serverTunnels, labels, tally.count)
            out.add(.serverOldestTunnel, labels, tally.oldestSeconds ?? 0)
        }
        out.add(.serverUpgrades, labels, server.responses.informational)
        out.add(.serverBytesIn, labels, server.bytesIn)
        out.add(.serverBytesOut, labels, server.bytesOut)
        out.add(.serverErrors, labels, server.errors)
    }
}
