import HawsAgent

/// The output flags of `haws agent`, as given on the command line (`nil`: not given, the file or the default
/// decides).
public struct AgentFlags: Sendable, Hashable {
    /// `--output`: a file or `-`.
    public var output: String?
    /// `--interval`.
    public var interval: String?
    public var sessionsInterval: String?
    public var prometheus: String?
    public var maxServerSeries: Int?
    public var maxProbeSeries: Int?
    public var rotateSize: String?
    public var rotateKeep: Int?
    public var fullSnapshotInterval: String?
    public var probe = ContinuousProbeFlags()

    public init() {}

    /// Checks the flags on their own, before any file is read (``ContinuousProbeFlags/validate()`` checks `probe`).
    public func validate() throws(FlagError) {
        let counts = [
            ("--max-server-series", maxServerSeries), ("--max-probe-series", maxProbeSeries),
            ("--rotate-keep", rotateKeep),
        ]
        for (flag, value) in counts {
            if let value, value < 0 { throw FlagError("\(flag): must be 0 or more, not \(value)") }
        }
        if let rotateKeep, rotateKeep > FileRotation.maximumKeep {
            throw FlagError("--rotate-keep: must be at most \(FileRotation.maximumKeep), not \(rotateKeep)")
        }
    }
}
