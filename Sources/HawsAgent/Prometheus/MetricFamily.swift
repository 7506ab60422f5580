import HawsCore

/// Every metric family the agent can export: the single source of truth for names, types, help and labels.
///
/// The exposition writes only families listed here (with this help and type), and the dashboard test checks
/// that every metric a Grafana panel queries is one of these, so a rename cannot silently blank a panel.
/// Adding a family is one case here plus the code that adds its samples (see ``PrometheusExposition``).
/// Families are written in declaration order.
public enum MetricFamily: String, CaseIterable, Sendable {
    // Instance
    case instanceUp = "haws_instance_up"
    case instanceInfo = "haws_instance_info"
    case instanceUptime = "haws_instance_uptime_seconds"
    case instanceConnections = "haws_instance_current_connections"
    case instanceMaxConnections = "haws_instance_max_connections"
    case instanceReloads = "haws_instance_reloads_total"
    case instancePolls = "haws_instance_polls_total"
    case instancePollErrors = "haws_instance_poll_errors_total"
    case instanceTunnels = "haws_instance_tunnels"
    case oldWorkerTunnels = "haws_old_worker_tunnels"
    case oldWorkerTunnelsPartial = "haws_old_worker_tunnels_partial"
    case pollDuration = "haws_poll_duration_seconds"
    case commandSeconds = "haws_command_seconds_total"
    case commandBytes = "haws_command_bytes_total"
    case commands = "haws_commands_total"
    case sessionsDumpSeconds = "haws_sessions_dump_seconds"
    case sessionsDumpHAProxySeconds = "haws_sessions_dump_haproxy_seconds"
    case sessionsDumpInterval = "haws_sessions_dump_interval_seconds"
    case sessionsDumpStretched = "haws_sessions_dump_stretched"
    // Backend
    case backendUp = "haws_backend_up"
    case backendServers = "haws_backend_servers"
    case backendTunnels = "haws_backend_tunnels"
    case backendSessions = "haws_backend_sessions"
    case backendSessionsTotal = "haws_backend_sessions_total"
    case backendUpgrades = "haws_backend_upgrades_total"
    case backendBytesIn = "haws_backend_bytes_in_total"
    case backendBytesOut = "haws_backend_bytes_out_total"
    case backendErrors = "haws_backend_errors_total"
    // Server
    case serverUp = "haws_server_up"
    case serverState = "haws_server_state"
    case serverCheckPassed = "haws_server_check_passed"
    case serverWeight = "haws_server_weight"
    case serverSessions = "haws_server_sessions"
    case serverSessionsTotal = "haws_server_sessions_total"
    case serverTunnels = "haws_server_tunnels"
    case serverOldestTunnel = "haws_server_oldest_tunnel_seconds"
    case serverUpgrades = "haws_server_upgrades_total"
    case serverBytesIn = "haws_server_bytes_in_total"
    case serverBytesOut = "haws_server_bytes_out_total"
    case serverErrors = "haws_server_errors_total"
    // Probes: filled by the probe scheduler running inside the agent (an ``AgentMetricsContributor``).
    case probeDuration = "haws_probe_duration_seconds"
    case probeSuccess = "haws_probe_success"
    case probes = "haws_probes_total"
    case probeRounds = "haws_probe_rounds_total"
    case probeRoundOverruns = "haws_probe_round_overruns_total"
    case probeBudget = "haws_probe_budget_ratio"
    case probeBudgetUsed = "haws_probe_budget_used_ratio"
    case probeCPU = "haws_probe_cpu_seconds_total"
    case probePeriod = "haws_probe_period_seconds"
    // The agent itself
    case seriesTruncated = "haws_agent_series_truncated"
    case probeSeriesTruncated = "haws_agent_probe_series_truncated"
    case outputErrors = "haws_agent_output_errors_total"
    case outputBytes = "haws_agent_output_bytes_total"

    public enum Kind: String, Sendable {
        case gauge, counter, histogram
    }

    public var name: String { rawValue }

    public var kind: Kind {
        switch self {
        case .instanceReloads, .instancePolls, .instancePollErrors, .backendSessionsTotal, .backendUpgrades,
            .backendBytesIn, .backendBytesOut, .backendErrors, .serverSessionsTotal, .serverUpgrades, .serverBytesIn,
            .serverBytesOut, .serverErrors, .outputErrors, .probes, .probeRounds, .probeRoundOverruns, .commandSeconds,
            .commandBytes, .commands, .probeCPU, .outputBytes:
            .counter
        case .pollDuration, .probeDuration:
            .histogram
        default:
            .gauge
        }
    }

    /// The label names its samples carry (besides `le` of histogram buckets), for the documentation.
    public var labels: [String] {
        switch self {
        case .instanceInfo: ["instance", "version", "node"]
        case .pollDuration: ["instance", "poll"]
        case .commandSeconds, .commandBytes, .commands: ["instance", "command"]
        case .backendServers: ["instance", "backend", "state"]
        case .serverState: ["instance", "backend", "server", "state"]
        // Probes through HAProxy's frontend carry `frontend` (the URL) instead of `backend` and `server`.
        case .probeDuration: ["instance", "backend", "server", "phase"]
        case .probeSuccess: ["instance", "backend", "server"]
        case .probes: ["instance", "backend", "server", "result"]
        case .seriesTruncated, .probeSeriesTruncated, .outputErrors, .outputBytes, .probeRounds, .probeRoundOverruns,
            .probeBudget, .probeBudgetUsed, .probeCPU, .probePeriod:
            []
        default:
            switch rawValue {
            case let name where name.hasPrefix("haws_server_"): ["instance", "backend", "server"]
            case let name where name.hasPrefix("haws_backend_"): ["instance", "backend"]
            default: ["instance"]
            }
        }
    }

    /// Names of the samples this family writes: `_bucket`, `_sum` and `_count` for a histogram.
    public var sampleNames: [String] {
        kind == .histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name]
    }

    public var help: String {
        switch self {
        case .instanceUp: "1 when the last poll of the instance succeeded, 0 when it failed or none finished yet."
        case .instanceInfo: "Constant 1, labelled with the HAProxy version and node name."
        case .instanceUptime: "Seconds since the HAProxy worker started (show info Uptime_sec)."
        case .instanceConnections: "Connections open on the instance (show info CurrConns)."
        case .instanceMaxConnections: "Connection limit of the instance (show info Maxconn)."
        case .instanceReloads: "Reloads and restarts seen by this agent (pid changed or uptime went back)."
        case .instancePolls: "Stats polls of the instance, successful or not."
        case .instancePollErrors: "Stats polls of the instance that failed (unreachable, timeout, bad answer)."
        case .instanceTunnels:
            "WebSocket tunnels open on the instance, including those still held by old workers after a reload."
        case .oldWorkerTunnels: "WebSocket tunnels still held by old workers after a reload (needs the master socket)."
        case .commandSeconds:
            "Wall time of haws's runtime API commands (show stat, show info, show sess all...), from connect to the answer's end."
        case .commandBytes: "Bytes HAProxy answered to haws's runtime API commands."
        case .commands: "Runtime API commands haws sent."
        case .sessionsDumpSeconds:
            "Wall time of the last show sess all round, read at a bounded byte rate."
        case .sessionsDumpHAProxySeconds:
            "HAProxy's time on the last show sess all round (threads paused while it fills each buffer), as haws estimates it: what the dump budget is charged with."
        case .sessionsDumpInterval:
            "Interval between show sess all rounds now in force: --sessions-interval while counts need them, longer for ages only or when their cost stretches it."
        case .sessionsDumpStretched: "1 when the dumps' own cost stretched their interval (0.5% of a core of HAProxy's time)."
        case .oldWorkerTunnelsPartial:
            "1 when an old worker could not be read: haws_old_worker_tunnels then counts only the others."
        case .pollDuration:
            "Duration of polls of HAProxy: poll=stats (show info + show stat), poll=sessions (show sess)."
        case .backendUp: "1 when HAProxy reports the backend UP, 0 when DOWN."
        case .backendServers:
            "Servers of the backend per state (up, down, drain, maint, ...): kept when per-server series are truncated."
        case .backendTunnels:
            "WebSocket tunnels open on the backend: exact per-server sum with an operator socket, else derived from hrsp_1xx."
        case .backendSessions:
            "Current sessions of the backend (scur; includes HTTP requests in flight, not only tunnels)."
        case .backendSessionsTotal: "Sessions of the backend since the counters last reset (stot)."
        case .backendUpgrades:
            "WebSocket upgrades (101 responses) of the backend's servers (sum of the servers' hrsp_1xx)."
        case .backendBytesIn: "Bytes received from clients by the backend (bin); a tunnel's bytes count when it closes."
        case .backendBytesOut: "Bytes sent to clients by the backend (bout); a tunnel's bytes count when it closes."
        case .backendErrors: "Connection and response errors of the backend (econ + eresp)."
        case .serverUp: "1 when checks see the server alive (UP, NOLB, DRAIN, no check) and it is not in maintenance."
        case .serverState:
            "1, labelled with the server's current state (up, down, going-up, going-down, nolb, no-check, drain, maint); no series for other states."
        case .serverCheckPassed: "1 when the last health check passed, 0 when it failed; absent without checks."
        case .serverWeight: "Effective weight of the server."
        case .serverSessions: "Current sessions of the server (scur)."
        case .serverSessionsTotal: "Sessions of the server since the counters last reset (stot)."
        case .serverTunnels: "WebSocket tunnels open on the server (show sess all, needs an operator or admin socket)."
        case .serverOldestTunnel: "Age in seconds of the oldest WebSocket tunnel of the server (0 without tunnels)."
        case .serverUpgrades: "WebSocket upgrades (101 responses) answered by the server (hrsp_1xx)."
        case .serverBytesIn: "Bytes received from clients through the server (bin)."
        case .serverBytesOut: "Bytes sent to clients through the server (bout)."
        case .serverErrors: "Connection and response errors of the server (econ + eresp)."
        case .probeDuration:
            "Duration of WebSocket probes per phase (connect, tls, upgrade, ping, message, close; total: passed probes)."
        case .probeSuccess: "1 when the last WebSocket probe of the server passed, 0 when it failed."
        case .probes: "WebSocket probes made, by result: pass, or the failure code (bad_accept, connect_refused, ...)."
        case .probeRounds:
            "Probe rounds run (one per probe interval; each probes what the probe budget allows, failing servers first)."
        case .probeRoundOverruns: "Probe rounds that took longer than the probe interval (the next one started late)."
        case .seriesTruncated:
            "1 when per-server series are left out because the servers exceed --max-server-series; backend series stay."
        case .probeSeriesTruncated:
            "1 when probe series are summed per backend because the servers exceed --max-probe-series (or --max-server-series)."
        case .probeBudget: "Share of one core continuous probing may use (--probe-budget); absent when unlimited."
        case .probeBudgetUsed: "Share of one core the last probe round used (prober thread and scheduler)."
        case .probeCPU: "CPU seconds continuous probing has used (prober thread and scheduler)."
        case .probePeriod:
            "Longest time between two probes of a server at the current pace (failing servers are re-probed sooner)."
        case .outputErrors: "NDJSON lines that could not be written (full disk, unwritable file)."
        case .outputBytes: "NDJSON bytes written (whole lines)."
        }
    }
}

/// The state label of `haws_server_state` and `haws_backend_servers`, in the order they are written.
public enum ServerStateLabel: String, CaseIterable, Sendable {
    case up
    case down
    case goingUp = "going-up"
    case goingDown = "going-down"
    case nolb
    case noCheck = "no-check"
    case drain
    case maint
}

extension ServerStateLabel {
    /// The one state a server is in, as people name it: maintenance and drain (set by an operator) win over
    /// what the checks say; `nil` for a status haws does not recognise (then every state series is 0).
    public init?(_ status: ServerStatus) {
        switch (status.admin, status.operational) {
        case (.maint?, _): self = .maint
        case (.drain?, _): self = .drain
        case (_, .up?): self = .up
        case (_, .down?): self = .down
        case (_, .goingUp?): self = .goingUp
        case (_, .goingDown?): self = .goingDown
        case (_, .nolb?): self = .nolb
        case (_, .noCheck?): self = .noCheck
        case (_, nil): return nil
        }
    }
}
