import ArgumentParser
import HawsConfig
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

    /// The flags as plain values, for ``RunConfiguration``.
    var flags: ContinuousProbeFlags {
        var flags = ContinuousProbeFlags()
        flags.noProbe = noProbe
        flags.probeInterval = probeInterval
        flags.probeBudget = probeBudget
        flags.probeFrontends = probeFrontends
        return flags
    }

    func validate() throws { try flags.validate() }

    /// `every 10s within 3% of a core`, or `off`, for the start-up line.
    static func describe(_ settings: ProbeSettings?) -> String {
        guard let settings else { return "probes off" }
        let budget = settings.budget.map { "within \(($0 * 1_000).rounded() / 10)% of a core" } ?? "without a budget"
        return "probing servers every \(AgentCommand.text(settings.interval)) \(budget)"
    }
}
