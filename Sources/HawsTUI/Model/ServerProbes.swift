import HawsCore
import HawsProbe

/// The probe summary of every server, read from the probe board itself when asked.
///
/// Top shows a verdict and HS p95 for every server, but holding a ``ProbeSummary`` per server was a dictionary of
/// 10,000 (1.6 MB at 10,000 servers), rebuilt from the board every round while the UI held the last one. The board
/// is already shared with the scheduler: keeping it costs nothing, and a summary is made from its entry when a row
/// is drawn or sorted (the entry's window keeps the upgrade's p95 as probes arrive, ``ProbeBoard/Entry/upgradeP95``).
/// Summaries given by hand (tests, a screen model built without a board) are kept as given.
public struct ServerProbes: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var board: ProbeBoard?
    private var given: [ServerID: ProbeSummary]

    /// The summaries of the board's server entries (frontend probes are ``ProbeSummaries/frontends``' business).
    public init(board: ProbeBoard) {
        self.board = board
        self.given = [:]
    }

    public init(dictionaryLiteral elements: (ServerID, ProbeSummary)...) {
        self.board = nil
        self.given = Dictionary(elements, uniquingKeysWith: { $1 })
    }

    /// The server's summary; `nil` when it has no entry, or none with a result yet.
    public subscript(id: ServerID) -> ProbeSummary? {
        if let summary = self.given[id] { return summary }
        return self.board?[.server(id.key, instance: id.instance)].flatMap(ProbeSummary.init)
    }

    /// Equal when they give the same summaries: the same given ones, and boards whose server entries are the same
    /// stored values (a round that changed nothing).
    public static func == (a: ServerProbes, b: ServerProbes) -> Bool {
        guard a.given == b.given else { return false }
        switch (a.board, b.board) {
        case (nil, nil): return true
        case (let x?, let y?):
            guard x.entries.count == y.entries.count else { return false }
            return x.entries.allSatisfy { key, entry in y.entries[key].map { $0.isSameValue(as: entry) } ?? false }
        default: return false
        }
    }
}
