#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsProbe

/// The NDJSON `probe` line: one probe of one server (or frontend URL) in one round, with the window's figures
/// (schema: `Schemas/agent.schema.json`); which probes get one is ``ProbeLineSchedule``'s choice.
///
/// A line of its own rather than fields on the `snapshot` line: probes run on their own cadence (every 10 s by
/// default, while snapshots come every second), so a snapshot would repeat the same result ten times, and a log
/// shipper can select `type == "probe"` without unpacking a snapshot. `result` is `pass`, `fail` or
/// `not_probeable`; a server that cannot be probed gets a line when it is first listed and when its reason changes,
/// not every round. Milliseconds like `haws probe --json`; every key is always present, `null` where unknown.
public enum ProbeLine {
    /// - Parameters:
    ///   - round: the round the entry comes from.
    ///   - time: when a not-probeable entry was listed (a result carries its own finish time).
    public static func encode(_ entry: ProbeBoard.Entry, round: Int?, time: Date) -> [UInt8] {
        let result = entry.notProbeable == nil ? entry.lastResult : nil
        var json = JSONLineBuilder(capacity: 768)
        json.beginObject()
        json.field("type", "probe")
        json.field("time", RFC3339.string(result?.finishedAt ?? time))
        json.field("instance", entry.key.instance)
        json.field("object", entry.key.object)
        json.field("backend", entry.key.server?.backend)
        json.field("server", entry.key.server?.server)
        json.field("frontend", entry.key.frontendURL)
        json.field("round", round)
        json.field("url", entry.target?.url)
        json.field("mode", entry.notProbeable == nil ? (result?.mode ?? entry.mode)?.name : nil)
        json.field("result", entry.notProbeable != nil ? "not_probeable" : (result?.passed == true ? "pass" : "fail"))
        json.field("failure", result?.failure?.code)
        json.field("failure_phase", result?.failure?.phase?.rawValue)
        json.field("detail", entry.notProbeable ?? result?.failure?.description)
        json.field("http_status", result?.httpStatus)
        if let result {
            json.key("timings_ms")
            json.beginObject()
            for phase in ProbePhase.allCases {
                json.field(phase.rawValue, result.timings[phase].map(Self.milliseconds))
            }
            json.field("total", Self.milliseconds(result.timings.total))
            json.endObject()
        } else {
            json.nullField("timings_ms")
        }
        json.field("health", entry.health.state.rawValue)
        json.field("health_since", entry.health.since.map(RFC3339.string))
        json.field("consecutive_failures", entry.health.consecutiveFailures)
        if let statistics = entry.statistics, entry.notProbeable == nil {
            Self.window(statistics, into: &json)
        } else {
            json.nullField("window")
        }
        json.endObject()
        return json.line
    }

    /// `window`: the figures of the object's recent probes (``RecentProbes``: the last 24 by default).
    private static func window(_ statistics: TargetStatistics, into json: inout JSONLineBuilder) {
        json.key("window")
        json.beginObject()
        json.field("probes", statistics.probes)
        json.field("passed", statistics.passed)
        json.field("failed", statistics.failed)
        json.field("success_ratio", statistics.successRatio)
        json.key("failures")
        json.beginObject()
        for code in statistics.failures.keys.sorted() {
            json.field(code, statistics.failures[code])
        }
        json.endObject()
        json.key("percentiles_ms")
        json.beginObject()
        let summaries = ProbePhase.allCases.map { ($0.rawValue, statistics.phases[$0]) } + [("total", statistics.total)]
        for (name, summary) in summaries {
            guard let summary, !summary.isEmpty else {
                json.nullField(name)
                continue
            }
            json.key(name)
            json.beginObject()
            json.field("p50", Self.milliseconds(summary.p50))
            json.field("p95", Self.milliseconds(summary.p95))
            json.field("p99", Self.milliseconds(summary.p99))
            json.endObject()
        }
        json.endObject()
        json.endObject()
    }

    /// Milliseconds to the microsecond: finer is noise, and it keeps lines short.
    static func milliseconds(_ duration: Duration) -> Double {
        (duration.milliseconds * 1_000).rounded() / 1_000
    }
}
