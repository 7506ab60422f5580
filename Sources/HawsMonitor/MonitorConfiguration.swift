/// How often the engine polls and how much it remembers.
public struct MonitorConfiguration: Sendable, Hashable {
    /// `show stat` + `show info` cadence (default 1 s).
    public var statsInterval: Duration = .seconds(1)
    /// The shortest `show sess all` cadence (default 5 s), used while the counters leave some server's tunnels
    /// open; see ``SessionDumpSchedule`` for the rest (it pauses HAProxy's threads ~12 µs per stream).
    public var tunnelsInterval: Duration = .seconds(5)
    /// The `show sess all` cadence while the counters give every count (tunnel ages only).
    public var tunnelAgesInterval: Duration = .seconds(60)
    /// The share of one core of HAProxy's time the dumps may take; their interval stretches to keep it.
    public var sessionDumpBudget: Double = 0.005

    /// The dump schedule these settings make.
    public var sessionDumpSchedule: SessionDumpSchedule {
        SessionDumpSchedule(minimumInterval: tunnelsInterval, agesInterval: tunnelAgesInterval, budget: sessionDumpBudget)
    }
    /// Samples kept per metric and object (300 = a 5-minute sparkline at 1 s); 0 disables history
    /// (the agent: Prometheus keeps history there).
    public var historyCapacity: Int = 300
    /// Events kept in memory for the event log.
    public var eventCapacity: Int = 1_000
    /// An instance whose last good poll is older than this many stats intervals is stale.
    public var staleAfterIntervals: Int = 3

    public init() {}
}
