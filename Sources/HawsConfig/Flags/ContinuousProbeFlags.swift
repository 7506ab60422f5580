import HawsProbe

/// The probe flags of the long-running commands, `haws top` and `haws agent`, as given on the command line.
public struct ContinuousProbeFlags: Sendable, Hashable {
    /// `--no-probe`.
    public var noProbe = false
    /// `--probe-interval` as written; `nil` when not given.
    public var probeInterval: String?
    /// `--probe-budget` as written (`3%`, `off`); `nil` when not given.
    public var probeBudget: String?
    /// `--probe-frontend`, repeatable: added to the file's `frontend` URLs.
    public var probeFrontends: [String] = []

    public init() {}

    /// Checks the flags on their own, before any file is read.
    public func validate() throws(FlagError) {
        if noProbe, probeInterval != nil || probeBudget != nil || !probeFrontends.isEmpty {
            throw FlagError(
                "--no-probe turns probing off: it goes with none of --probe-interval, --probe-budget, --probe-frontend")
        }
        _ = try interval()
        _ = try budget()
    }

    /// Whether a flag asks for probing (it then overrides `continuous = false` in the file).
    var asksForProbes: Bool { probeInterval != nil || probeBudget != nil || !probeFrontends.isEmpty }

    func interval() throws(FlagError) -> Duration? {
        try probeInterval.map { text throws(FlagError) in try DurationFlag.parse(text, flag: "--probe-interval") }
    }

    /// `.some(nil)` for `off`, `nil` when not given.
    func budget() throws(FlagError) -> Double?? {
        guard let probeBudget else { return nil }
        switch ProbeSettings.budget(parsing: probeBudget) {
        case .success(let budget): return .some(budget)
        case .failure(let error): throw FlagError("--probe-budget \(error.description)")
        }
    }
}
