import HawsMonitor
import HawsProbe

/// Everything `haws agent` runs with, validated: built from defaults, then the config file's `[intervals]`
/// and `[outputs]`, then the command line (which wins).
public struct AgentSettings: Sendable, Hashable {
    /// `show info` + `show stat` cadence: one NDJSON line per instance per poll.
    public var statsInterval: Duration = .seconds(1)
    /// `show sess all` cadence (per-server tunnels): slower, it pauses HAProxy briefly.
    public var sessionsInterval: Duration = .seconds(5)
    /// Time between two full `snapshot` lines of an instance (`changes` lines between them), and the longest a
    /// probed object goes without a `probe` line; `.zero`: a full snapshot every poll.
    public var fullSnapshotInterval: Duration = .seconds(300)
    /// Where NDJSON lines go; `nil`: none (only `/metrics`).
    public var ndjson: NDJSONDestination?
    public var rotation: FileRotation?
    /// Where `/metrics` listens; `nil`: no HTTP server.
    public var prometheus: ListenAddress?
    /// Per-server series are written while the instances hold at most this many servers in total.
    public var maxServerSeries = 10_000
    /// Per-server probe series (a histogram per phase: ~100 samples a server) are written while the instances hold
    /// at most this many servers (and at most ``maxServerSeries``); beyond, probe series are summed per backend.
    /// Lower than ``maxServerSeries`` because one probed server costs a scrape as much as ten unprobed ones.
    public var maxProbeSeries = 500
    /// The server count up to which probe series are per server: the lower of the two limits.
    public var probeSeriesLimit: Int { min(maxServerSeries, maxProbeSeries) }
    /// Continuous WebSocket probes of every discovered server; `nil`: none (`--no-probe`).
    public var probes: ProbeSettings?

    public init() {}

    /// The engine's configuration: no in-memory history (Prometheus or the NDJSON consumer keeps it).
    public var monitorConfiguration: MonitorConfiguration {
        var configuration = MonitorConfiguration()
        configuration.statsInterval = statsInterval
        configuration.tunnelsInterval = sessionsInterval
        configuration.historyCapacity = 0
        return configuration
    }

    /// With neither an NDJSON destination nor a metrics address, lines go to standard output: the agent
    /// must produce something, and `haws agent --socket S | jq` is the first thing people try.
    public mutating func defaultToStandardOutput() {
        if ndjson == nil, prometheus == nil { ndjson = .standardOutput }
    }
}
