/// The polling flags of `haws top`, as given (each has a default and no config-file key: `[intervals]` is the
/// agent's cadence, and a dashboard is tuned on its command line).
public struct TopFlags: Sendable, Hashable {
    public static let defaultInterval = "1s"
    public static let defaultTunnelsInterval = "5s"
    public static let defaultDrainDeadline = "10m"

    /// `--interval`: `show stat` / `show info`.
    public var interval = Self.defaultInterval
    /// `--tunnels-interval`: `show sess all`.
    public var tunnelsInterval = Self.defaultTunnelsInterval
    /// `--drain-deadline`: when the drain dialog offers to shut sessions down; `0` never.
    public var drainDeadline = Self.defaultDrainDeadline

    public init() {}

    /// The durations, checked (before the terminal is taken over).
    public func timing() throws(FlagError) -> TopTiming {
        let stats = try DurationFlag.parse(interval, flag: "--interval")
        let tunnels = try DurationFlag.parse(tunnelsInterval, flag: "--tunnels-interval")
        let deadline = try DurationFlag.parse(drainDeadline, flag: "--drain-deadline", zero: .meansOff)
        return TopTiming(
            statsInterval: stats, tunnelsInterval: tunnels, drainDeadline: deadline > .zero ? deadline : nil)
    }
}

/// `haws top`'s cadences and the drain dialog's default deadline (`nil`: never offer the shutdown).
public struct TopTiming: Sendable, Hashable {
    public var statsInterval: Duration
    public var tunnelsInterval: Duration
    public var drainDeadline: Duration?
}
