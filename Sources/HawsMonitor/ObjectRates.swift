import HawsCore

/// Per-second rates of one frontend, backend or server between two polls; `nil` when the counters
/// reset in between (reload, restart, `clear counters all`) or on the first poll.
///
/// Each rate is one plain double with `-infinity` for "no rate" (a rate is never negative, see
/// ``RateSlot``): 48 bytes instead of 96 for six optionals. A dashboard at 10,000 servers keeps one per
/// server, rebuilt every poll.
public struct ObjectRates: Sendable, Hashable {
    @RateSlot public var sessions: Double?
    @RateSlot public var requests: Double?
    /// WebSocket upgrades: 101 responses per second (`hrsp_1xx`).
    @RateSlot public var upgrades: Double?
    @RateSlot public var bytesIn: Double?
    @RateSlot public var bytesOut: Double?
    @RateSlot public var errors: Double?

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

/// An optional rate stored in 8 bytes: `-infinity` stands for `nil`. Equality and hashing compare the
/// stored double, and `-infinity` equals itself (a NaN sentinel would not).
@propertyWrapper
public struct RateSlot: Sendable, Hashable {
    private var stored = -Double.infinity

    public init() {}

    public var wrappedValue: Double? {
        get { stored == -.infinity ? nil : stored }
        set { stored = newValue ?? -.infinity }
    }
}
