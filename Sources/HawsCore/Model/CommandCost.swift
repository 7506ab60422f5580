/// What one runtime API command cost, as haws measured it: the wall time from connecting to the end of
/// HAProxy's answer, and the answer's size.
///
/// For `show sess all` the wall time is also HAProxy's own cost: HAProxy produces the dump as fast as haws
/// reads it (haws scans it as it arrives), with its threads paused while it fills each buffer, so the dump's
/// duration is the time haws's read takes from HAProxy.
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
    public var bytes: Int
    /// Streams HAProxy listed (tunnels or not).
    public var streams: Int

    public init(seconds: Double = 0, bytes: Int = 0, streams: Int = 0) {
        self.seconds = seconds
        self.bytes = bytes
        self.streams = streams
    }

    public static func + (lhs: SessionDumpCost, rhs: SessionDumpCost) -> SessionDumpCost {
        SessionDumpCost(seconds: lhs.seconds + rhs.seconds, bytes: lhs.bytes + rhs.bytes, streams: lhs.streams + rhs.streams)
    }
}
