/// The timing flags of `haws drain --wait`, as given (each has a default or is off, and no config-file key).
public struct DrainFlags: Sendable, Hashable {
    public static let defaultWaitTimeout = "10m"
    public static let defaultInterval = "1s"

    /// `--timeout-wait`: give up after this long (exit 2).
    public var waitTimeout = Self.defaultWaitTimeout
    /// `--interval`: how often to read the server.
    public var interval = Self.defaultInterval
    /// `--shutdown-after`: `nil` never shuts sessions down.
    public var shutdownAfter: String?

    public init() {}

    public func timing() throws(FlagError) -> DrainTiming {
        DrainTiming(
            waitLimit: try DurationFlag.parse(waitTimeout, flag: "--timeout-wait"),
            interval: try DurationFlag.parse(interval, flag: "--interval"),
            shutdownAfter: try shutdownAfter.map { text throws(FlagError) in
                try DurationFlag.parse(text, flag: "--shutdown-after")
            })
    }
}

/// How long `haws drain --wait` waits, how often it reads, and when it shuts the sessions down.
public struct DrainTiming: Sendable, Hashable {
    public var waitLimit: Duration
    public var interval: Duration
    public var shutdownAfter: Duration?
}
