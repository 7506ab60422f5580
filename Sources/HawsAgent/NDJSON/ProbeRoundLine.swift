#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor
import HawsProbe

/// The NDJSON `probe_round` line: one per probe round, what it probed and what probing costs (schema:
/// `Schemas/agent.schema.json`).
///
/// The budget's figures say why a period is what it is: `period_seconds` follows from `probes_per_round` (what
/// `limit_percent` of a core buys at `cost_per_probe_ms`) and `targets`. Percentages are of one core; CPU counts
/// the prober's own thread and the scheduler's work (``ProbeScheduler``).
public enum ProbeRoundLine {
    /// - Parameters:
    ///   - probeLines: `probe` lines written for this round.
    ///   - outputBytes: NDJSON bytes the agent wrote before this line.
    public static func encode(_ board: ProbeBoard, probeLines: Int, outputBytes: Int, time: Date) -> [UInt8] {
        var json = JSONLineBuilder(capacity: 512)
        let round = board.lastRound
        json.beginObject()
        json.field("type", "probe_round")
        json.field("time", RFC3339.string(round?.startedAt ?? time))
        json.field("round", round?.number)
        json.field("duration_ms", round.map { ProbeLine.milliseconds($0.duration) })
        json.field("probes", round?.probes)
        json.field("passed", round?.passed)
        json.field("failed", round?.failed)
        json.field("not_probeable", round?.notProbeable)
        json.field("overruns", board.overruns)
        json.field("probe_lines", probeLines)
        json.field("output_bytes_total", outputBytes)
        if let budget = board.budget {
            json.key("budget")
            json.beginObject()
            json.field("limit_percent", budget.limit.map { percent($0) })
            json.field("used_percent", percent(budget.used))
            json.field("cpu_ms", ProbeLine.milliseconds(budget.cpu))
            json.field("cpu_total_seconds", (budget.totalCPU.seconds * 1_000).rounded() / 1_000)
            json.field("cost_per_probe_ms", ProbeLine.milliseconds(budget.costPerProbe))
            json.field("probes_per_round", budget.probesPerRound)
            json.field("targets", budget.targets)
            json.field("period_seconds", (budget.period.seconds * 1_000).rounded() / 1_000)
            json.endObject()
        } else {
            json.nullField("budget")
        }
        json.endObject()
        return json.line
    }

    /// A share of one core in percent, to a thousandth of a percent.
    static func percent(_ share: Double) -> Double {
        (share * 100_000).rounded() / 1_000
    }
}
