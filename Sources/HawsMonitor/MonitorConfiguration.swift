/// How often the engine polls and how much it remembers.
public struct MonitorConfiguration: Sendable, Hashable {
    /// `show stat` + `show info` cadence (default 1 s).
    public var statsInterval: Duration = .seconds(1)
    /// `show sess all` cadence (default 5 s): it pauses HAProxy's threads for ~12 ms per 2,000 tunnels.
    public var tunnelsInterval: Duration = .seconds(5)
    /// Samples kept per metric and object (300 = a 5-minute sparkline at 1 s); 0 disables history
    /// (the agent: Prometheus keeps history there).
    public var historyCapacity: Int = 300
    /// Events kept in memory for the event log.
    public var eventCapacity: Int = 1_000
    /// An instance whose last good poll is older than this many stats intervals is stale.
    public var staleAfterIntervals: Int = 3

    public init() {}
}
