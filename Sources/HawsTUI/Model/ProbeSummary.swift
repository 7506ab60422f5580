/// What the dashboard shows of the active WebSocket probes of one server: the verdict and HS p95 columns, and the
/// probe lines of the detail pane.
///
/// The TUI's own value rather than the probe board's entry: the screen model stays a plain value that tests build by
/// hand, and the mapping from the board (``summaries(of:)``) happens once per round, off the UI loop.
public struct ProbeSummary: Sendable, Hashable {
    /// p50/p95/p99 of one phase over the window, in milliseconds.
    public struct PhasePercentiles: Sendable, Hashable {
        public var name: String
        public var p50: Double
        public var p95: Double
        public var p99: Double

        public init(name: String, p50: Double, p95: Double, p99: Double) {
            self.name = name
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
        }
    }

    /// `pass`, `FAIL`, `n/a` (not probeable): shown as is, coloured by ``passed`` and ``probeable``.
    public var verdict: String
    public var passed: Bool
    /// 95th percentile of the upgrade (request sent to 101 received) over the window, in milliseconds.
    public var handshakeP95Milliseconds: Double?
    /// Per-phase timings of the last probe (connect, TLS, upgrade, ping, close, total), in milliseconds.
    public var phases: [(name: String, milliseconds: Double)]
    /// p50/p95/p99 per phase over the last probes (24 by default), phases in the order they happen.
    public var percentiles: [PhasePercentiles]
    /// Passed probes / probes over the window; `nil` before the first.
    public var successRatio: Double?
    /// Probes in the window.
    public var windowProbes: Int
    /// Why the last probe failed (what was seen, what to do), or why the server is not probed.
    public var detail: String?
    /// The URL probed.
    public var url: String?
    /// `false` for a server that cannot be probed (port 0, MAINT, ...): its verdict is shown dim, not red.
    public var probeable: Bool

    public init(
        verdict: String, passed: Bool, handshakeP95Milliseconds: Double? = nil,
        phases: [(name: String, milliseconds: Double)] = [], percentiles: [PhasePercentiles] = [],
        successRatio: Double? = nil, windowProbes: Int = 0, detail: String? = nil, url: String? = nil,
        probeable: Bool = true
    ) {
        self.verdict = verdict
        self.passed = passed
        self.handshakeP95Milliseconds = handshakeP95Milliseconds
        self.phases = phases
        self.percentiles = percentiles
        self.successRatio = successRatio
        self.windowProbes = windowProbes
        self.detail = detail
        self.url = url
        self.probeable = probeable
    }

    public static func == (a: ProbeSummary, b: ProbeSummary) -> Bool {
        a.verdict == b.verdict && a.passed == b.passed && a.handshakeP95Milliseconds == b.handshakeP95Milliseconds
            && a.phases.map(\.name) == b.phases.map(\.name)
            && a.phases.map(\.milliseconds) == b.phases.map(\.milliseconds) && a.percentiles == b.percentiles
            && a.successRatio == b.successRatio && a.windowProbes == b.windowProbes && a.detail == b.detail
            && a.url == b.url && a.probeable == b.probeable
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(verdict)
        hasher.combine(handshakeP95Milliseconds)
    }
}
