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
        self.init(
            verdict: passing ? "pass" : "FAIL",
            passed: passing,
            handshakeP95Milliseconds: entry.upgradeP95?.milliseconds,
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
}

extension ProbeSummaries {
    /// The summaries of a board for ``Action/probes(_:)``: every server's, and every frontend URL's that
    /// `frontendNames` (``ProbeSettings/frontendNames``, by URL) ties to a frontend. The others reach only the event
    /// log.
    public init(of board: ProbeBoard, frontendNames: [String: String]) {
        var frontends: [String: [(url: String, summary: ProbeSummary)]] = [:]
        for (key, entry) in board.entries {
            guard let url = key.frontendURL, let name = frontendNames[url], let summary = ProbeSummary(entry) else {
                continue
            }
            frontends[name, default: []].append((url, summary))
        }
        self.init(
            servers: ServerProbes(board: board),
            frontends: frontends.mapValues { $0.sorted { $0.url < $1.url }.map(\.summary) },
            budget: board.budget)
    }
}
