import HawsCore

/// Per-second rates of one frontend, backend or server between two polls; `nil` when the counters
/// reset in between (reload, restart, `clear counters all`) or on the first poll.
///
/// Stored as six plain doubles with `-infinity` for "no rate" (a rate is never negative): 48 bytes
/// instead of 96 for six optionals. A dashboard at 10,000 servers keeps one per server, rebuilt every poll.
public struct ObjectRates: Sendable, Hashable {
    private var storage: (Double, Double, Double, Double, Double, Double)

    private static let none = -Double.infinity
    private static func stored(_ value: Double?) -> Double { value ?? none }
    private static func read(_ value: Double) -> Double? { value == none ? nil : value }

    public var sessions: Double? {
        get { Self.read(storage.0) }
        set { storage.0 = Self.stored(newValue) }
    }
    public var requests: Double? {
        get { Self.read(storage.1) }
        set { storage.1 = Self.stored(newValue) }
    }
    /// WebSocket upgrades: 101 responses per second (`hrsp_1xx`).
    public var upgrades: Double? {
        get { Self.read(storage.2) }
        set { storage.2 = Self.stored(newValue) }
    }
    public var bytesIn: Double? {
        get { Self.read(storage.3) }
        set { storage.3 = Self.stored(newValue) }
    }
    public var bytesOut: Double? {
        get { Self.read(storage.4) }
        set { storage.4 = Self.stored(newValue) }
    }
    public var errors: Double? {
        get { Self.read(storage.5) }
        set { storage.5 = Self.stored(newValue) }
    }

    public init(sessions: Double? = nil, requests: Double? = nil, upgrades: Double? = nil, bytesIn: Double? = nil, bytesOut: Double? = nil, errors: Double? = nil) {
        storage = (
            Self.stored(sessions), Self.stored(requests), Self.stored(upgrades), Self.stored(bytesIn),
            Self.stored(bytesOut), Self.stored(errors)
        )
    }

    public static func == (lhs: ObjectRates, rhs: ObjectRates) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
        hasher.combine(storage.4)
        hasher.combine(storage.5)
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
