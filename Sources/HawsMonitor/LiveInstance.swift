#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// Reachability of an instance as the operator should read it.
public enum InstanceHealth: Sendable, Hashable {
    /// No poll has finished yet.
    case waiting
    case reachable
    /// The last good poll is older than the stale threshold (a poll hangs, or keeps failing briefly).
    case stale(lastGood: Date)
    case unreachable(error: String)

    public var label: String {
        switch self {
        case .waiting: "waiting"
        case .reachable: "reachable"
        case .stale: "stale"
        case .unreachable: "unreachable"
        }
    }
}

/// The live view of one instance: its latest good snapshot (with tunnels merged in), rates, history.
public struct LiveInstance: Sendable {
    public var name: String
    public var health: InstanceHealth = .waiting
    public var lastGoodPoll: Date?
    public var lastError: String?
    /// The latest good snapshot, kept while the instance is unreachable so the screen never blanks.
    public var snapshot: InstanceSnapshot?
    public var tunnelsReadAt: Date?
    /// What watching this instance costs (commands, dumps, the dump interval in force).
    public var cost = InstanceCost()
    public var polls = 0
    public var failedPolls = 0
    /// Rates of the servers of ``snapshot``, by position.
    public var serverRates = ServerRateTable()
    public var backendRates: [String: ObjectRates] = [:]
    public var frontendRates: [String: ObjectRates] = [:]
    /// Tunnels per server over time (oldest first), for sparklines.
    public var serverTunnelHistory = ServerHistory(capacity: MonitorConfiguration().historyCapacity)
    public var backendTunnelHistory: [String: RingBuffer<Float>] = [:]
    public var backendUpgradeRateHistory: [String: RingBuffer<Float>] = [:]

    public init(name: String) { self.name = name }

    /// The rates of the server named `key` in ``snapshot`` (a search: for tests and one-off lookups).
    public func rates(of key: ServerKey) -> ObjectRates? {
        snapshot.flatMap { serverRates.rates(of: key, in: $0) }
    }

    /// Sum of upgrades/s over backends; `nil` right after a reset.
    public var upgradesPerSecond: Double? {
        let rates = backendRates.values.compactMap(\.upgrades)
        return rates.isEmpty ? nil : rates.reduce(0, +)
    }
}

/// Everything the dashboard and the agent need, as one immutable value.
public struct MonitorState: Sendable {
    public var instances: [LiveInstance]
    public var events: [MonitorEvent]
    /// Increases with every change, so a consumer can skip identical frames.
    public var generation: Int

    public init(instances: [LiveInstance], events: [MonitorEvent], generation: Int) {
        self.instances = instances
        self.events = events
        self.generation = generation
    }
}
