/// The outcome of a `show sess all` round.
public enum TunnelReading: Sendable {
    case counted(current: [ServerKey: TunnelTally], oldWorkers: [ServerKey: TunnelTally]?)
    case unavailable(TunnelDetailUnavailable)
}
