import HawsCore

// The bridge from probe results to the status report, whose module knows nothing of sockets or NIO.

extension StatusReport.ProbeEntry {
    /// The report's view of one probe result.
    public init(_ result: ProbeResult) {
        let timings = result.timings
        self.init(
            verdict: result.passed ? .passed : .failed,
            url: result.target.url,
            mode: result.mode.name,
            failureCode: result.failure?.code,
            failurePhase: result.failure?.phase?.rawValue,
            headline: result.failure?.headline,
            message: result.failure?.description,
            httpStatus: result.httpStatus,
            timingsMs: StatusReport.PhaseTimings(
                resolve: timings.resolve?.milliseconds,
                connect: timings.connect?.milliseconds,
                tls: timings.tls?.milliseconds,
                upgrade: timings.upgrade?.milliseconds,
                ping: timings.ping?.milliseconds,
                message: timings.message?.milliseconds,
                close: timings.close?.milliseconds,
                total: timings.total.milliseconds
            )
        )
    }

    /// The report's view of a board entry: its last result, or why it is not probed; `nil` before the first probe.
    public init?(_ entry: ProbeBoard.Entry) {
        if let reason = entry.notProbeable {
            self = .notProbeable(reason)
        } else if let result = entry.lastResult {
            self.init(result)
        } else {
            return nil
        }
    }
}

extension StatusProbeResults {
    /// What a probe round found, for ``StatusEvaluator``: server entries by instance, frontend entries apart.
    public init(board: ProbeBoard) {
        var servers: [String: [ServerKey: StatusReport.ProbeEntry]] = [:]
        var frontends: [StatusReport.FrontendProbeEntry] = []
        for entry in board.sortedEntries {
            guard let probe = StatusReport.ProbeEntry(entry) else {
                continue
            }
            if let server = entry.key.server {
                servers[entry.key.instance, default: [:]][server] = probe
            } else {
                let url = entry.key.frontendURL ?? entry.target?.url ?? ""
                frontends.append(StatusReport.FrontendProbeEntry(instance: entry.key.instance, url: url, probe: probe))
            }
        }
        self.init(servers: servers, frontends: frontends, durationMs: board.lastRound?.duration.milliseconds)
    }
}
