import HawsCore
import HawsMonitor
import HawsProbe

/// What the agent's continuous probes add to `/metrics`: per server (and frontend URL) a latency histogram per phase,
/// probes counted by result, and whether the last one passed; plus the rounds run and those that overran.
///
/// Prometheus wants cumulative figures since the agent started, not the recent-probe percentiles of the probe board:
/// `histogram_quantile` over `rate(..._bucket)` gives any window afterwards. So this value takes the *news* of each
/// board (``ProbeBoard/news(since:)``, every result once) and accumulates. It is pure; the agent keeps it behind a
/// lock between the probe loop and scrapes.
///
/// Cardinality has its own, lower limit, `--max-probe-series` (500 servers by default, and never above
/// `--max-server-series`): a probed server adds ~100 samples (a 14-bucket histogram per phase) against ~20 for its
/// other series, so 10,000 per-server histograms would make a scrape of a million samples. Within it probe series are
/// per server; beyond, they are summed per backend (`haws_probe_success` is then left out, a sum of it would mean
/// nothing) and `haws_agent_probe_series_truncated` is 1, as the other server series do past their limit.
/// Phase and result labels are bounded sets (the phases, `pass` and the failure codes).
public struct ProbeMetrics: Sendable {
    /// From 0.5 ms (a loopback connect) to 10 s (past the default 5 s probe deadline).
    public static let bucketBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    /// The `phase` label of the whole probe (recorded for passed probes only, like ``ProbeStatistics``: a timeout is
    /// not a latency).
    public static let totalPhase = "total"
    /// The `result` label of a passed probe; a failed one carries its ``ProbeFailure/code``.
    public static let passResult = "pass"

    /// Figures of one server, frontend URL or (aggregated) backend.
    struct Series: Sendable {
        var durations: [String: BucketHistogram] = [:]
        var results: [String: Int] = [:]

        mutating func record(_ result: ProbeResult) {
            for phase in ProbePhase.allCases {
                if let latency = result.timings[phase] {
                    self.durations[phase.rawValue, default: BucketHistogram(bounds: ProbeMetrics.bucketBounds)]
                        .observe(latency.seconds)
                }
            }
            if result.passed {
                self.durations[ProbeMetrics.totalPhase, default: BucketHistogram(bounds: ProbeMetrics.bucketBounds)]
                    .observe(result.timings.total.seconds)
            }
            self.results[result.failure?.code ?? ProbeMetrics.passResult, default: 0] += 1
        }
    }

    struct BackendID: Sendable, Hashable, Comparable {
        var instance: String
        var backend: String

        static func < (lhs: BackendID, rhs: BackendID) -> Bool {
            (lhs.instance, lhs.backend) < (rhs.instance, rhs.backend)
        }
    }

    private var objects: [ProbeKey: Series] = [:]
    private var backends: [BackendID: Series] = [:]
    private var lastPassed: [ProbeKey: Bool] = [:]
    /// Rounds run and rounds that overran, as of the latest board.
    public private(set) var rounds = 0
    public private(set) var overruns = 0
    /// The probe budget as of the latest board.
    public private(set) var budget: ProbeBoard.Budget?

    public init() {}

    /// Takes a new board: counts the results in `news` (its ``ProbeBoard/news(since:)``), and forgets objects that
    /// left HAProxy's configuration. `perServer` false (the servers exceed `--max-probe-series`) keeps no series per
    /// server, only per backend: 10,000 servers' histograms that no scrape writes would cost 20 MB.
    public mutating func record(_ board: ProbeBoard, news: [ProbeBoard.Entry], perServer: Bool = true) {
        self.rounds = board.lastRound?.number ?? self.rounds
        self.overruns = board.overruns
        self.budget = board.budget
        if !perServer {
            self.objects = self.objects.filter { $0.key.server == nil }
        }
        for entry in news {
            guard let result = entry.lastResult, entry.notProbeable == nil else {
                continue
            }
            if perServer || entry.key.server == nil {
                self.objects[entry.key, default: Series()].record(result)
            }
            if let server = entry.key.server {
                let backend = BackendID(instance: entry.key.instance, backend: server.backend)
                self.backends[backend, default: Series()].record(result)
            }
        }
        var live = Set<BackendID>()
        for entry in board.entries.values {
            self.lastPassed[entry.key] =
                entry.notProbeable == nil && (perServer || entry.key.server == nil) ? entry.lastPassed : nil
            if let server = entry.key.server {
                live.insert(BackendID(instance: entry.key.instance, backend: server.backend))
            }
        }
        self.objects = self.objects.filter { board.entries[$0.key] != nil }
        self.lastPassed = self.lastPassed.filter { board.entries[$0.key] != nil }
        self.backends = self.backends.filter { live.contains($0.key) }
    }

    /// Adds the probe families to a scrape; `perServer` is the agent's cardinality decision for this scrape's probe
    /// series.
    public func contribute(into out: inout PrometheusExposition, perServer: Bool) {
        var groups: [(labels: PrometheusExposition.Labels, series: Series, passed: Bool?)] = []
        for key in self.objects.keys.sorted() {
            guard let series = self.objects[key] else {
                continue
            }
            if let server = key.server {
                guard perServer else {
                    continue
                }
                groups.append(
                    (
                        [("instance", key.instance), ("backend", server.backend), ("server", server.server)], series,
                        self.lastPassed[key]
                    ))
            } else {
                groups.append(
                    ([("instance", key.instance), ("frontend", key.frontendURL ?? "")], series, self.lastPassed[key]))
            }
        }
        if !perServer {
            for backend in self.backends.keys.sorted() {
                if let series = self.backends[backend] {
                    groups.append(([("instance", backend.instance), ("backend", backend.backend)], series, nil))
                }
            }
        }
        let phases = ProbePhase.allCases.map(\.rawValue) + [Self.totalPhase]
        for group in groups {
            for phase in phases {
                if let histogram = group.series.durations[phase] {
                    out.addHistogram(.probeDuration, group.labels + [("phase", phase)], histogram)
                }
            }
            if let passed = group.passed {
                out.add(.probeSuccess, group.labels, passed ? 1 : 0)
            }
            for result in group.series.results.keys.sorted() {
                out.add(.probes, group.labels + [("result", result)], group.series.results[result] ?? 0)
            }
        }
        if self.rounds > 0 {
            out.add(.probeRounds, [], self.rounds)
            out.add(.probeRoundOverruns, [], self.overruns)
            out.add(.probeSeriesTruncated, [], perServer ? 0 : 1)
        }
        if let budget = self.budget {
            if let limit = budget.limit {
                out.add(.probeBudget, [], limit)
            }
            out.add(.probeBudgetUsed, [], budget.used)
            out.add(.probeCPU, [], budget.totalCPU.seconds)
            out.add(.probePeriod, [], budget.period.seconds)
        }
    }
}
