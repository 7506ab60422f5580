/// What one runtime API command cost, as haws measured it: the wall time from connecting to the end of
/// HAProxy's answer, and the answer's size.
///
/// `show sess all` is read at a bounded byte rate, so its wall time is longer than HAProxy's own time on it
/// (``SessionDumpCost/haproxySeconds``).
public struct CommandCost: Sendable, Hashable {
    /// The command as HAProxy's CLI names it (`show stat`, `show sess all`), without a worker prefix.
    public var command: String
    public var seconds: Double
    public var bytes: Int

    public init(command: String, seconds: Double, bytes: Int) {
        self.command = command
        self.seconds = seconds
        self.bytes = bytes
    }
}

/// What one `show sess all` round cost (the current worker and every old worker it asked).
public struct SessionDumpCost: Sendable, Hashable {
    /// Wall time of the round's dumps, added up.
    public var seconds: Double
    /// HAProxy's time on the round's dumps, as far as haws can tell (the wall time when not given): what
    /// the dump schedule's budget is charged with. A dump read at a bounded rate lasts longer than HAProxy
    /// takes to write it.
    public var haproxySeconds: Double
    public var bytes: Int
    /// Streams HAProxy listed (tunnels or not).
    public var streams: Int

    public init(seconds: Double = 0, haproxySeconds: Double? = nil, bytes: Int = 0, streams: Int = 0) {
        self.seconds = seconds
        self.haproxySeconds = haproxySeconds ?? seconds
        self.bytes = bytes
        self.streams = streams
    }

    public static func + (lhs: SessionDumpCost, rhs: SessionDumpCost) -> SessionDumpCost {
        SessionDumpCost(
            seconds: lhs.seconds + rhs.seconds, haproxySeconds: lhs.haproxySeconds + rhs.haproxySeconds,
            bytes: lhs.bytes + rhs.bytes, streams: lhs.streams + rhs.streams)
    }
}
