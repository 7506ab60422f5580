/// The cumulative counters of one frontend, backend or server that rates are computed from, as HAProxy
/// gave them: `nil` where the cell is empty (a TCP-mode proxy has no HTTP counters), so a rate there is
/// unknown rather than a made-up zero.
public struct RateCounters: Sendable, Hashable {
    /// `stot`
    public var sessions: Int?
    /// `req_tot`
    public var requests: Int?
    /// `hrsp_2xx`: stands in for requests where `req_tot` is empty.
    public var successes: Int?
    /// `hrsp_1xx`: a WebSocket upgrade is a 101.
    public var upgrades: Int?
    public var bytesIn: Int?
    public var bytesOut: Int?
    /// `econ + eresp + ereq`, counting only the cells HAProxy gave (0 when none).
    public var errors: Int

    public init(
        sessions: Int? = nil, requests: Int? = nil, successes: Int? = nil, upgrades: Int? = nil,
        bytesIn: Int? = nil, bytesOut: Int? = nil, errors: Int = 0
    ) {
        self.sessions = sessions
        self.requests = requests
        self.successes = successes
        self.upgrades = upgrades
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.errors = errors
    }

    init<Cells: StatsCells>(_ row: Cells) {
        sessions = row.int(.stot)
        requests = row.int(.reqTot)
        successes = row.int(.hrsp2xx)
        upgrades = row.int(.hrsp1xx)
        bytesIn = row.int(.bin)
        bytesOut = row.int(.bout)
        errors = (row.int(.econ) ?? 0) + (row.int(.eresp) ?? 0) + (row.int(.ereq) ?? 0)
    }
}
