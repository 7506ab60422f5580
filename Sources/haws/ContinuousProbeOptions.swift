import ArgumentParser
import HawsClient
import HawsProbe

/// The probe options of the long-running commands, `haws top` and `haws agent`: both probe every server HAProxy
/// lists, every 10 s by default, with the `[probes]` section of `--config` (flags win over the file).
struct ContinuousProbeOptions: ParsableArguments {
    @Flag(help: "Do not probe the servers with WebSocket handshakes (or continuous = false in [probes]).")
    var noProbe = false

    @Option(
        help: ArgumentHelp(
            "Time between probe rounds, e.g. 10s or 2s (default: [probes] interval, else 10s).", valueName: "duration"))
    var probeInterval: String?

    @Option(
        help: ArgumentHelp(
            "CPU share of one core probing may use, e.g. 3% or off (default: [probes] budget, else 3%); rounds "
                + "then probe a slice of a large setup, failing servers first.",
            valueName: "share"))
    var probeBudget: String?

    @Option(
        name: .customLong("probe-frontend"),
        help: ArgumentHelp(
            "Also probe this URL through HAProxy itself, e.g. ws://127.0.0.1:80/chat (repeatable); "
                + "NAME=URL names the HAProxy frontend it enters, whose row in haws top then shows the verdict.",
            valueName: "url"))
    var probeFrontends: [String] = []

    func validate() throws {
        if noProbe, probeInterval != nil || probeBudget != nil || !probeFrontends.isEmpty {
            throw ValidationError(
                "--no-probe turns probing off: it goes with none of --probe-interval, --probe-budget, --probe-frontend")
        }
        if let probeInterval { _ = try DurationFlag.parse(probeInterval, flag: "--probe-interval") }
        if let probeBudget { _ = try Self.budget(probeBudget) }
    }

    /// The settings to probe with, or `nil` when probing is off (`--no-probe`, or `continuous = false` in the file
    /// without a probe flag to say otherwise).
    func settings(config: ProbesConfig?) throws -> ProbeSettings? {
        if noProbe
            || (config?.continuous == false && probeInterval == nil && probeBudget == nil && probeFrontends.isEmpty)
        {
            return nil
        }
        var settings = try ProbeSettings(config: config)
        if let probeInterval {
            settings.interval = try DurationFlag.parse(probeInterval, flag: "--probe-interval")
        }
        if let probeBudget { settings.budget = try Self.budget(probeBudget) }
        for url in probeFrontends {
            do throws(ProbeTargetError) {
                try settings.addFrontend(url)
            } catch {
                throw ValidationError("--probe-frontend \(url): \(error.reason)")
            }
        }
        return settings
    }

    private static func budget(_ text: String) throws -> Double? {
        switch ProbeSettings.budget(parsing: text) {
        case .success(let budget): return budget
        case .failure(let error): throw ValidationError("--probe-budget \(error.description)")
        }
    }

    /// `every 10s within 3% of a core`, or `off`, for the start-up line.
    static func describe(_ settings: ProbeSettings?) -> String {
        guard let settings else { return "probes off" }
        let budget = settings.budget.map { "within \(($0 * 1_000).rounded() / 10)% of a core" } ?? "without a budget"
        return "probing servers every \(AgentCommand.text(settings.interval)) \(budget)"
    }
}
