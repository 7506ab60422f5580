/// The outcome of a `show sess all` round.
public enum TunnelReading: Sendable {
    /// Tunnels per server of the current worker, of old workers (`nil` without a master socket), and what
    /// the round cost HAProxy. `oldWorkersUnread`: the old workers (or `show proc` itself) whose query failed,
    /// one line each; not empty means `oldWorkers` is a partial count.
    case counted(
        current: [ServerKey: TunnelTally], oldWorkers: [ServerKey: TunnelTally]?, oldWorkersUnread: [String] = [],
        cost: SessionDumpCost = SessionDumpCost())
    case unavailable(TunnelDetailUnavailable)

    /// The round's cost; zero when it failed.
    public var cost: SessionDumpCost {
        if case .counted(_, _, _, let cost) = self { return cost }
        return SessionDumpCost()
    }
}
