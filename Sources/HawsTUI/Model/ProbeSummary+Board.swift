import HawsProbe

// The bridge from the probe scheduler's board to the dashboard's summaries: pure, run once per round by whoever
// feeds ``Action/probes(_:)``.

extension ProbeSummary {
    /// The summary of one board entry; `nil` before its first result.
    ///
    /// The verdict follows the entry's ``ProbeHealth`` (the state probe failure and recovery events come from), so
    /// the column and the event log never disagree; the phases are those of the last probe, the percentiles and the
    /// success ratio those of the window.
    public init?(_ entry: ProbeBoard.Entry) {
        if let reason = entry.notProbeable {
            self.init(verdict: "n/a", passed: true, detail: reason, probeable: false)
            return
        }
        guard let lastPassed = entry.lastPassed else {
            return nil
        }
        let passing: Bool
        switch entry.health.state {
        case .passing: passing = true
        case .failing: passing = false
        case .unknown: passing = lastPassed
        }
        let upgrade = entry.statistics?.phases[.upgrade]  // computed from the ring on each read
        self.init(
            verdict: passing ? "pass" : "FAIL",
            passed: passing,
            handshakeP95Milliseconds: upgrade.flatMap { $0.isEmpty ? nil : $0.p95.milliseconds },
            entry: entry)
    }

    /// The detail pane's fields of an entry with a result: the phases of the last probe, the percentiles and the
    /// success ratio of the window.
    static func pane(of entry: ProbeBoard.Entry) -> Pane {
        guard let result = entry.lastResult else {
            return Pane(phases: [], percentiles: [], successRatio: nil, windowProbes: 0, detail: nil, url: nil)
        }
        var phases: [(name: String, milliseconds: Double)] = []
        for phase in ProbePhase.allCases {
            if let latency = result.timings[phase] {
                phases.append((phase.rawValue, latency.milliseconds))
            }
        }
        phases.append(("total", result.timings.total.milliseconds))
        var percentiles: [PhasePercentiles] = []
        let statistics = entry.statistics  // computed from the ring on each read
        if let statistics {
            let summaries = ProbePhase.allCases.map { ($0.rawValue, statistics.phases[$0]) }
                + [("total", statistics.total)]
            for case (let name, let summary?) in summaries where !summary.isEmpty {
                percentiles.append(
                    PhasePercentiles(
                        name: name, p50: summary.p50.milliseconds, p95: summary.p95.milliseconds,
                        p99: summary.p99.milliseconds))
            }
        }
        return Pane(
            phases: phases,
            percentiles: percentiles,
            successRatio: statistics?.successRatio,
            windowProbes: statistics?.probes ?? 0,
            detail: result.failure?.description,
            url: result.target.url)
    }

    /// The summaries of every server of a board. Probes through HAProxy's frontend are left to
    /// ``ProbeSummaries/init(of:frontendNames:)``, which knows the frontends' names.
    public static func summaries(of board: ProbeBoard) -> [ServerID: ProbeSummary] {
        var summaries: [ServerID: ProbeSummary] = [:]
        for (key, entry) in board.entries {
            guard let server = key.server, let summary = ProbeSummary(entry) else {
                continue
            }
            summaries[ServerID(instance: key.instance, key: server)] = summary
        }
        return summaries
    }
}

extension ProbeSummary {
    /// The summaries of every server of `board`, rebuilt only for the entries that changed since `previous`, whose
    /// summaries were `summaries`: a round of a large setup changes a few hundred of 10,000 entries, and rebuilding
    /// every summary every round kept two whole sets (and their arrays) alive and churning.
    public static func summaries(
        of board: ProbeBoard, reusing summaries: [ServerID: ProbeSummary], from previous: ProbeBoard?
    ) -> [ServerID: ProbeSummary] {
        guard let previous else { return Self.summaries(of: board) }
        var result = summaries
        for key in previous.entries.keys where board.entries[key] == nil {
            if let server = key.server { result[ServerID(instance: key.instance, key: server)] = nil }
        }
        for (key, entry) in board.entries {
            guard let server = key.server else { continue }
            if let before = previous.entries[key], before.isSameValue(as: entry) { continue }
            result[ServerID(instance: key.instance, key: server)] = ProbeSummary(entry)
        }
        return result
    }
}

extension ProbeSummaries {
    /// The summaries of a board for ``Action/probes(_:)``: every server's, and every frontend URL's that
    /// `frontendNames` (``ProbeSettings/frontendNames``, by URL) ties to a frontend. The others reach only the event
    /// log.
    public init(of board: ProbeBoard, frontendNames: [String: String], updating previous: (board: ProbeBoard, summaries: ProbeSummaries)? = nil) {
        var frontends: [String: [(url: String, summary: ProbeSummary)]] = [:]
        for (key, entry) in board.entries {
            guard let url = key.frontendURL, let name = frontendNames[url], let summary = ProbeSummary(entry) else {
                continue
            }
            frontends[name, default: []].append((url, summary))
        }
        self.init(
            servers: previous.map { ProbeSummary.summaries(of: board, reusing: $0.summaries.servers, from: $0.board) }
                ?? ProbeSummary.summaries(of: board),
            frontends: frontends.mapValues { $0.sorted { $0.url < $1.url }.map(\.summary) },
            budget: board.budget)
    }
}
