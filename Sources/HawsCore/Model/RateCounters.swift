/// The cumulative counters of one frontend, backend or server that rates are computed from, as HAProxy
/// gave them: `nil` where the cell is empty (a TCP-mode proxy has no HTTP counters), so a rate there is
/// unknown rather than a made-up zero.
///
/// Stored as plain integers with `Int.min` for "not given" (56 bytes instead of 104 with optionals): every
/// server of every snapshot carries one.
public struct RateCounters: Sendable, Hashable {
    private static let absent = Int.min
    private var storage: (sessions: Int, requests: Int, successes: Int, upgrades: Int, bytesIn: Int, bytesOut: Int)
    /// `econ + eresp + ereq`, counting only the cells HAProxy gave (0 when none).
    public var errors: Int

    /// `stot`
    public var sessions: Int? { Self.value(storage.sessions) }
    /// `req_tot`
    public var requests: Int? { Self.value(storage.requests) }
    /// `hrsp_2xx`: stands in for requests where `req_tot` is empty.
    public var successes: Int? { Self.value(storage.successes) }
    /// `hrsp_1xx`: a WebSocket upgrade is a 101.
    public var upgrades: Int? { Self.value(storage.upgrades) }
    public var bytesIn: Int? { Self.value(storage.bytesIn) }
    public var bytesOut: Int? { Self.value(storage.bytesOut) }

    public init(
        sessions: Int? = nil, requests: Int? = nil, successes: Int? = nil, upgrades: Int? = nil,
        bytesIn: Int? = nil, bytesOut: Int? = nil, errors: Int = 0
    ) {
        storage = (
            sessions ?? Self.absent, requests ?? Self.absent, successes ?? Self.absent, upgrades ?? Self.absent,
            bytesIn ?? Self.absent, bytesOut ?? Self.absent
        )
        self.errors = errors
    }

    init<Cells: StatsCells>(_ row: Cells) {
        self.init(
            sessions: row.int(.stot), requests: row.int(.reqTot), successes: row.int(.hrsp2xx),
            upgrades: row.int(.hrsp1xx), bytesIn: row.int(.bin), bytesOut: row.int(.bout),
            errors: (row.int(.econ) ?? 0) + (row.int(.eresp) ?? 0) + (row.int(.ereq) ?? 0))
    }

    private static func value(_ stored: Int) -> Int? { stored == absent ? nil : stored }

    public static func == (lhs: RateCounters, rhs: RateCounters) -> Bool {
        lhs.storage == rhs.storage && lhs.errors == rhs.errors
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.sessions)
        hasher.combine(storage.requests)
        hasher.combine(storage.successes)
        hasher.combine(storage.upgrades)
        hasher.combine(storage.bytesIn)
        hasher.combine(storage.bytesOut)
        hasher.combine(errors)
    }
}
