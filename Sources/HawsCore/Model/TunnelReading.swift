/// The outcome of a `show sess all` round.
public enum TunnelReading: Sendable {
    /// `oldWorkersUnread`: the old workers (or `show proc` itself) whose query failed, one line each; not empty
    /// means `oldWorkers` is a partial count.
    case counted(
        current: [ServerKey: TunnelTally], oldWorkers: [ServerKey: TunnelTally]?, oldWorkersUnread: [String] = [])
    case unavailable(TunnelDetailUnavailable)
}
