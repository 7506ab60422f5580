/// The outcome of a `show sess all` round.
public enum TunnelReading: Sendable {
    /// Tunnels per server of the current worker, of old workers (`nil` without a master socket), and what
    /// the round cost HAProxy.
    case counted(current: [ServerKey: TunnelTally], oldWorkers: [ServerKey: TunnelTally]?, cost: SessionDumpCost = SessionDumpCost())
    case unavailable(TunnelDetailUnavailable)

    /// The round's cost; zero when it failed.
    public var cost: SessionDumpCost {
        if case .counted(_, _, let cost) = self { return cost }
        return SessionDumpCost()
    }
}
