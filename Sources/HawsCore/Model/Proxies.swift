/// Identifies a server within one HAProxy instance: the pair HAProxy's runtime API takes as `B/S`.
public struct ServerKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let backend: String
    public let server: String

    public init(backend: String, server: String) {
        self.backend = backend
        self.server = server
    }

    public var description: String { "\(backend)/\(server)" }

    public static func < (lhs: ServerKey, rhs: ServerKey) -> Bool {
        (lhs.backend, lhs.server) < (rhs.backend, rhs.server)
    }
}

/// Response-code counters common to frontends, backends and servers.
public struct HTTPResponseCounts: Sendable, Hashable, Codable {
    public var informational: Int  // hrsp_1xx: a 101 upgrade counts here
    public var success: Int
    public var redirection: Int
    public var clientError: Int
    public var serverError: Int
    public var other: Int

    /// Counts of a row that has none (a synthetic backend).
    static let none = HTTPResponseCounts(informational: 0, success: 0, redirection: 0, clientError: 0, serverError: 0, other: 0)

    private init(informational: Int, success: Int, redirection: Int, clientError: Int, serverError: Int, other: Int) {
        self.informational = informational
        self.success = success
        self.redirection = redirection
        self.clientError = clientError
        self.serverError = serverError
        self.other = other
    }

    init<Cells: StatsCells>(_ row: Cells) {
        informational = row.int(.hrsp1xx) ?? 0
        success = row.int(.hrsp2xx) ?? 0
        redirection = row.int(.hrsp3xx) ?? 0
        clientError = row.int(.hrsp4xx) ?? 0
        serverError = row.int(.hrsp5xx) ?? 0
        other = row.int(.hrspOther) ?? 0
    }
}

/// A frontend row (`type` 0).
public struct Frontend: Sendable, Hashable {
    public let name: String
    /// `OPEN`, `STOP`, `PAUSED` or `FULL`.
    public let status: String
    public let sessions: Int
    public let sessionLimit: Int?
    public let totalSessions: Int
    public let sessionRate: Int
    public let requestRate: Int
    public let totalRequests: Int
    public let bytesIn: Int
    public let bytesOut: Int
    public let deniedRequests: Int
    public let requestErrors: Int
    public let responses: HTTPResponseCounts
    public let mode: String?
    /// The cumulative counters rates are computed from.
    public let counters: RateCounters
    public let row: StatsRow

    public init(row: StatsRow) {
        let cells = StatsRow(header: row.header, values: row.values)  // split once, not per column
        self.init(cells: cells, row: row, name: cells[.pxname] ?? "")
    }

    init<Cells: StatsCells>(cells row: Cells, row statsRow: StatsRow, name: String) {
        self.row = statsRow
        self.name = name
        status = row.cell(.status) ?? ""
        sessions = row.int(.scur) ?? 0
        sessionLimit = row.int(.slim)
        totalSessions = row.int(.stot) ?? 0
        sessionRate = row.int(.rate) ?? 0
        requestRate = row.int(.reqRate) ?? 0
        totalRequests = row.int(.reqTot) ?? 0
        bytesIn = row.int(.bin) ?? 0
        bytesOut = row.int(.bout) ?? 0
        deniedRequests = row.int(.dreq) ?? 0
        requestErrors = row.int(.ereq) ?? 0
        responses = HTTPResponseCounts(row)
        mode = row.text(.mode)
        counters = RateCounters(row)
    }
}

/// A server row (`type` 2), with every cell available through ``row``.
///
/// A class, immutable after `init`: it has three dozen fields, a dozen of them reference-counted, and every
/// consumer (rates, the event diff, NDJSON, `/metrics`, the dashboard) walks all servers of every poll. As a
/// struct each of those walks copied hundreds of bytes per server; now a copy is one reference.
/// Equality is by key and row: every field is read from the row.
public final class Server: Sendable, Hashable {
    public let backend: String
    public let name: String
    /// Status and last check, shared by every server in the same condition (a fleet has a handful).
    private let condition: ServerCondition
    public var status: ServerStatus { condition.status }
    public var check: CheckStatus? { condition.check }
    /// HTTP code or text of the last check (`check_code`, `last_chk`).
    public let checkCode: Int?
    public let lastCheck: String?
    public let checkDescription: String?
    public let weight: Int
    public let isBackup: Bool
    public let sessions: Int
    public let sessionLimit: Int?
    public let queue: Int
    public let connectionErrors: Int
    public let responseErrors: Int
    public let secondsSinceChange: Int?
    public let sessionRate: Int
    public let responses: HTTPResponseCounts
    /// `addr`: `ip:port`; hidden by HAProxy on a `level user` socket (then from `show servers state`).
    public let address: String?
    /// The cumulative counters rates are computed from.
    public let counters: RateCounters
    public let row: StatsRow

    public var key: ServerKey { ServerKey(backend: backend, server: name) }
    public var errors: Int { connectionErrors + responseErrors }
    public var totalSessions: Int { counters.sessions ?? 0 }
    public var bytesIn: Int { counters.bytesIn ?? 0 }
    public var bytesOut: Int { counters.bytesOut ?? 0 }

    // Read from the row when asked: only the detail pane shows these, for one server at a time, so they are
    // not kept for each of 10,000 servers in every snapshot.
    public var checkDurationMs: Int? { row.int(.checkDuration) }
    public var maxSessions: Int { row.int(.smax) ?? 0 }
    public var queueMax: Int { row.int(.qmax) ?? 0 }
    public var queueLimit: Int? { row.int(.qlimit) }
    public var retries: Int { row.int(.wretr) ?? 0 }
    public var redispatches: Int { row.int(.wredis) ?? 0 }
    public var failedChecks: Int { row.int(.chkfail) ?? 0 }
    public var downTransitions: Int { row.int(.chkdown) ?? 0 }
    public var downtimeSeconds: Int? { row.int(.downtime) }
    /// Weight set by the user (`uweight`, 2.6+); `weight` is the effective one. Only the detail pane and
    /// a weight action's check read it, and it is HAProxy's 100th column: the parser stops splitting rows
    /// after the last column it keeps (see ``StatsColumn/isReadOnDemand``).
    public var userWeight: Int? { row.int(.uweight) }

    public static func == (lhs: Server, rhs: Server) -> Bool {
        lhs === rhs || (lhs.backend == rhs.backend && lhs.name == rhs.name && lhs.row == rhs.row)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(backend)
        hasher.combine(name)
    }

    public convenience init(row: StatsRow) {
        let cells = StatsRow(header: row.header, values: row.values)  // split once, not per column
        self.init(
            cells: cells, row: row, backend: cells[.pxname] ?? "", name: cells[.svname] ?? "",
            condition: ServerCondition(
                status: ServerStatus(cells[.status] ?? ""), check: cells[.checkStatus].flatMap(CheckStatus.init)))
    }

    /// - Parameters:
    ///   - condition: parsed by the caller, which sees the same few distinct cells thousands of times.
    init<Cells: StatsCells>(
        cells row: Cells, row statsRow: StatsRow, backend: String, name: String, condition: ServerCondition
    ) {
        self.row = statsRow
        self.backend = backend
        self.name = name
        self.condition = condition
        checkCode = row.int(.checkCode)
        lastCheck = row.text(.lastChk)
        checkDescription = row.text(.checkDesc)
        weight = row.int(.weight) ?? 0
        isBackup = (row.int(.bck) ?? 0) > 0
        sessions = row.int(.scur) ?? 0
        sessionLimit = row.int(.slim)
        queue = row.int(.qcur) ?? 0
        connectionErrors = row.int(.econ) ?? 0
        responseErrors = row.int(.eresp) ?? 0
        secondsSinceChange = row.int(.lastchg)
        sessionRate = row.int(.rate) ?? 0
        responses = HTTPResponseCounts(row)
        address = row.text(.addr)
        counters = RateCounters(row)
    }
}

/// A backend: its own `BACKEND` row (`type` 1) and its servers in CSV order.
public struct Backend: Sendable, Hashable {
    public let name: String
    /// HAProxy's own verdict for the backend: `UP` or `DOWN` (no usable server).
    public let status: String
    public let sessions: Int
    public let sessionLimit: Int?
    public let totalSessions: Int
    public let queue: Int
    public let bytesIn: Int
    public let bytesOut: Int
    public let connectionErrors: Int
    public let responseErrors: Int
    public let sessionRate: Int
    public let responses: HTTPResponseCounts
    public let algorithm: String?
    public let mode: String?
    public let activeServers: Int
    public let backupServers: Int
    /// Effective weight of the backend (sum of its servers'), when HAProxy gives it.
    public let weight: Int?
    /// Seconds since the backend last changed state (`lastchg`).
    public let secondsSinceChange: Int?
    /// The cumulative counters rates are computed from; all unknown for a synthetic backend.
    public let counters: RateCounters
    public let row: StatsRow?
    public var servers: [Server]

    public var errors: Int { connectionErrors + responseErrors }
    /// False for a synthetic backend whose `BACKEND` row never came (a truncated CSV).
    public var hasStatsRow: Bool { row != nil }

    public init(row: StatsRow?, name: String, servers: [Server] = []) {
        if let row {
            let cells = StatsRow(header: row.header, values: row.values)  // split once, not per column
            self.init(cells: cells, row: row, name: name, servers: servers)
        } else {
            self.init(synthetic: name, servers: servers)
        }
    }

    /// A backend known only from its servers' rows.
    private init(synthetic name: String, servers: [Server]) {
        self.row = nil
        self.name = name
        self.servers = servers
        status = ""
        sessions = servers.reduce(0) { $0 + $1.sessions }
        sessionLimit = nil
        totalSessions = 0
        queue = 0
        bytesIn = 0
        bytesOut = 0
        connectionErrors = 0
        responseErrors = 0
        sessionRate = 0
        responses = .none
        algorithm = nil
        mode = nil
        activeServers = 0
        backupServers = 0
        weight = nil
        secondsSinceChange = nil
        counters = RateCounters()
    }

    init<Cells: StatsCells>(cells row: Cells, row statsRow: StatsRow, name: String, servers: [Server] = []) {
        self.row = statsRow
        self.name = name
        self.servers = servers
        status = row.cell(.status) ?? ""
        sessions = row.int(.scur) ?? servers.reduce(0) { $0 + $1.sessions }
        sessionLimit = row.int(.slim)
        totalSessions = row.int(.stot) ?? 0
        queue = row.int(.qcur) ?? 0
        bytesIn = row.int(.bin) ?? 0
        bytesOut = row.int(.bout) ?? 0
        connectionErrors = row.int(.econ) ?? 0
        responseErrors = row.int(.eresp) ?? 0
        sessionRate = row.int(.rate) ?? 0
        responses = HTTPResponseCounts(row)
        algorithm = row.text(.algo)
        mode = row.text(.mode)
        activeServers = row.int(.act) ?? 0
        backupServers = row.int(.bck) ?? 0
        weight = row.int(.weight)
        secondsSinceChange = row.int(.lastchg)
        counters = RateCounters(row)
    }

    /// True when no server of the backend is alive outside maintenance, or HAProxy itself marks the
    /// backend DOWN. A backend without servers (a stats `listen`) counts only by HAProxy's verdict.
    public var hasNoServerUp: Bool {
        if status.uppercased().hasPrefix("DOWN") { return true }
        guard !servers.isEmpty else { return false }
        return !servers.contains { $0.status.isAlive && $0.status.admin != .maint }
    }
}

/// A server's parsed `status` and `check_status` cells, interned by the parser: 10,000 servers share a
/// handful of these instead of each holding its own copy of the strings inside.
final class ServerCondition: Sendable {
    let status: ServerStatus
    let check: CheckStatus?

    init(status: ServerStatus, check: CheckStatus?) {
        self.status = status
        self.check = check
    }
}
