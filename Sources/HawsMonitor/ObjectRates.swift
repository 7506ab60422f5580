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

    static func between(_ old: RateCounters?, _ new: RateCounters, seconds: Double, reset: Bool) -> ObjectRates {
        guard let old else { return ObjectRates() }
        func rate(_ previous: Int?, _ current: Int?) -> Double? {
            guard let previous, let current else { return nil }
            return CounterRate.perSecond(previous: previous, current: current, seconds: seconds, reset: reset)
        }
        return ObjectRates(
            sessions: rate(old.sessions, new.sessions),
            requests: rate(old.requests, new.requests) ?? rate(old.successes, new.successes),
            upgrades: rate(old.upgrades, new.upgrades), bytesIn: rate(old.bytesIn, new.bytesIn),
            bytesOut: rate(old.bytesOut, new.bytesOut), errors: rate(old.errors, new.errors))
    }
}
