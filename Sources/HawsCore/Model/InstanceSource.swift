

/// What the engine polls for one HAProxy instance: a struct of closures, so the live value wraps the
/// runtime API / stats page readers and a test can pass its own.
public struct InstanceSource: Sendable {
    public var name: String
    /// `show info` + `show stat` (+ `show servers state`): the cheap poll, every interval.
    public var readStats: @Sendable () async -> InstanceReading
    /// `show sess all` (current and old workers): the heavier poll at a slower cadence; `nil` when
    /// the instance has no runtime socket (stats page only).
    public var readTunnels: (@Sendable () async -> TunnelReading)?

    public init(
        name: String, readStats: @escaping @Sendable () async -> InstanceReading,
        readTunnels: (@Sendable () async -> TunnelReading)?
    ) {
        self.name = name
        self.readStats = readStats
        self.readTunnels = readTunnels
    }
}

