import HawsProbe

/// What one probe round gives the dashboard: a summary per server, and the probes through HAProxy whose frontend the
/// operator named (`--probe-frontend NAME=URL`), per frontend name.
///
/// Frontends are keyed by name alone, not by instance: a URL through HAProxy (a VIP, say) may reach any instance,
/// so every instance's frontend of that name shows it. Unnamed frontend probes are in neither: HAProxy's stats do
/// not say which frontend listens where, and a guess would put a verdict on the wrong row.
public struct ProbeSummaries: Sendable, Equatable {
    public var servers: ServerProbes
    /// The summaries of the URLs through each named frontend, in URL order.
    public var frontends: [String: [ProbeSummary]]
    /// What probing costs and the period it allows (``ProbeBoard/Budget``), for the title bar.
    public var budget: ProbeBoard.Budget?

    public init(
        servers: ServerProbes = [:], frontends: [String: [ProbeSummary]] = [:],
        budget: ProbeBoard.Budget? = nil
    ) {
        self.servers = servers
        self.frontends = frontends
        self.budget = budget
    }
}

extension ProbeSummary {
    /// The one verdict a frontend row shows for the URLs probed through it: a failing probe wins (a frontend with one
    /// broken route is not fine), and HS p95 is the slowest of them; `nil` for none.
    static func combined(_ summaries: [ProbeSummary]) -> ProbeSummary? {
        guard var shown = summaries.first(where: { $0.probeable && !$0.passed }) ?? summaries.first else {
            return nil
        }
        shown.handshakeP95Milliseconds = summaries.compactMap(\.handshakeP95Milliseconds).max()
        return shown
    }
}
