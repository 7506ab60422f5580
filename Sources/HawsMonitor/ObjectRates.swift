import HawsCore

/// Per-second rates of one frontend, backend or server between two polls; `nil` when the counters
/// reset in between (reload, restart, `clear counters all`) or on the first poll.
public struct ObjectRates: Sendable, Hashable, Codable {
    public var sessions: Double?
    public var requests: Double?
    /// WebSocket upgrades: 101 responses per second (`hrsp_1xx`).
    public var upgrades: Double?
    public var bytesIn: Double?
    public var bytesOut: Double?
    public var errors: Double?

    public init(sessions: Double? = nil, requests: Double? = nil, upgrades: Double? = nil, bytesIn: Double? = nil, bytesOut: Double? = nil, errors: Double? = nil) {
        self.sessions = sessions
        self.requests = requests
        self.upgrades = upgrades
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.errors = errors
    }

    static func between(_ old: StatsRow?, _ new: StatsRow, seconds: Double, reset: Bool) -> ObjectRates {
        func rate(_ column: String) -> Double? {
            guard let old, let previous = old.int(column), let current = new.int(column) else { return nil }
            return CounterRate.perSecond(previous: previous, current: current, seconds: seconds, reset: reset)
        }
        func errorRate() -> Double? {
            guard let old else { return nil }
            let columns = ["econ", "eresp", "ereq"]
            let previous = columns.compactMap { old.int($0) }.reduce(0, +)
            let current = columns.compactMap { new.int($0) }.reduce(0, +)
            return CounterRate.perSecond(previous: previous, current: current, seconds: seconds, reset: reset)
        }
        return ObjectRates(
            sessions: rate("stot"), requests: rate("req_tot") ?? rate("hrsp_2xx"), upgrades: rate("hrsp_1xx"),
            bytesIn: rate("bin"), bytesOut: rate("bout"), errors: errorRate())
    }
}
