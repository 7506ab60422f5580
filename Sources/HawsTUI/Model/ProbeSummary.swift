import HawsProbe

/// What the dashboard shows of the active WebSocket probes of one server: the verdict and HS p95 columns, and the
/// probe lines of the detail pane.
///
/// The TUI's own value rather than the probe board's entry: the screen model stays a plain value that tests build by
/// hand; from the board, ``ServerProbes`` makes one from a server's entry when a row asks.
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
    /// `false` for a server that cannot be probed (port 0, MAINT, ...): its verdict is shown dim, not red.
    public var probeable: Bool
    /// What the detail pane shows, as given or as read from a board entry when shown.
    private var details: Details

    /// The detail pane's fields. The table reads the summary of every server it sorts and colours (verdict and HS
    /// p95), but the pane shows one: the phases, percentiles and URL built for each would be ~600 bytes of arrays and
    /// strings. A summary made from a board entry keeps the entry instead (one reference to the box the scheduler
    /// already holds) and reads the fields from it when asked.
    private enum Details: Sendable {
        case given(Given)
        case entry(ProbeBoard.Entry)
    }

    /// The detail pane's fields, as one value.
    struct Pane: Sendable {
        var phases: [(name: String, milliseconds: Double)]
        var percentiles: [PhasePercentiles]
        var successRatio: Double?
        var windowProbes: Int
        var detail: String?
        var url: String?
    }

    final class Given: Sendable {
        let pane: Pane
        init(_ pane: Pane) { self.pane = pane }
    }

    /// The detail fields, read from the entry when the summary was made from one.
    private var pane: Pane {
        switch self.details {
        case .given(let given): given.pane
        case .entry(let entry): Self.pane(of: entry)
        }
    }

    private mutating func change(_ change: (inout Pane) -> Void) {
        var pane = self.pane
        change(&pane)
        self.details = .given(Given(pane))
    }

    /// Per-phase timings of the last probe (connect, TLS, upgrade, ping, close, total), in milliseconds.
    public var phases: [(name: String, milliseconds: Double)] {
        get { self.pane.phases }
        set { self.change { $0.phases = newValue } }
    }
    /// p50/p95/p99 per phase over the last probes (24 by default), phases in the order they happen.
    public var percentiles: [PhasePercentiles] {
        get { self.pane.percentiles }
        set { self.change { $0.percentiles = newValue } }
    }
    /// Passed probes / probes over the window; `nil` before the first.
    public var successRatio: Double? {
        get { self.pane.successRatio }
        set { self.change { $0.successRatio = newValue } }
    }
    /// Probes in the window.
    public var windowProbes: Int {
        get { self.pane.windowProbes }
        set { self.change { $0.windowProbes = newValue } }
    }
    /// Why the last probe failed (what was seen, what to do), or why the server is not probed.
    public var detail: String? {
        get { self.pane.detail }
        set { self.change { $0.detail = newValue } }
    }
    /// The URL probed.
    public var url: String? {
        get { self.pane.url }
        set { self.change { $0.url = newValue } }
    }

    public init(
        verdict: String, passed: Bool, handshakeP95Milliseconds: Double? = nil,
        phases: [(name: String, milliseconds: Double)] = [], percentiles: [PhasePercentiles] = [],
        successRatio: Double? = nil, windowProbes: Int = 0, detail: String? = nil, url: String? = nil,
        probeable: Bool = true
    ) {
        self.verdict = verdict
        self.passed = passed
        self.handshakeP95Milliseconds = handshakeP95Milliseconds
        self.probeable = probeable
        self.details = .given(
            Given(
                Pane(
                    phases: phases, percentiles: percentiles, successRatio: successRatio, windowProbes: windowProbes,
                    detail: detail, url: url)))
    }

    /// A summary whose detail fields are read from `entry` when shown (``ProbeSummary/init(_:)``).
    init(verdict: String, passed: Bool, handshakeP95Milliseconds: Double?, entry: ProbeBoard.Entry) {
        self.verdict = verdict
        self.passed = passed
        self.handshakeP95Milliseconds = handshakeP95Milliseconds
        self.probeable = true
        self.details = .entry(entry)
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
