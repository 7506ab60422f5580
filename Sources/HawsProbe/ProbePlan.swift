import HawsCore

/// One object a probe round covers: a target to probe, or the reason it cannot be probed.
///
/// A server that cannot be probed is kept with its reason rather than dropped, so `haws status` and the dashboard
/// can say "not probed: port 0 ..." instead of leaving an operator to wonder why a server has no probe column.
public struct PlannedProbe: Sendable, Hashable {
    public enum Disposition: Sendable, Hashable {
        /// Probe `target` in `mode`.
        case probe(ProbeTarget, mode: ProbeOptions.Mode)
        /// Cannot be probed; the reason says what to change.
        case notProbeable(reason: String)
    }

    public var key: ProbeKey
    public var disposition: Disposition

    public init(key: ProbeKey, disposition: Disposition) {
        self.key = key
        self.disposition = disposition
    }

    /// The target, when probeable.
    public var target: ProbeTarget? {
        if case .probe(let target, _) = self.disposition {
            return target
        }
        return nil
    }

    /// The mode, when probeable.
    public var mode: ProbeOptions.Mode? {
        if case .probe(_, let mode) = self.disposition {
            return mode
        }
        return nil
    }

    /// Why it is not probed, when not probeable.
    public var notProbeableReason: String? {
        if case .notProbeable(let reason) = self.disposition {
            return reason
        }
        return nil
    }
}

/// What one probe round covers: every discovered server and frontend URL, plus the instances that could not be read
/// this time (their previous targets stay in place rather than vanishing with their history).
public struct ProbePlan: Sendable, Hashable {
    public var entries: [PlannedProbe]
    /// Instances whose snapshot is missing (unreachable): the scheduler keeps probing their last known targets.
    public var unavailableInstances: Set<String>

    public init(entries: [PlannedProbe] = [], unavailableInstances: Set<String> = []) {
        self.entries = entries
        self.unavailableInstances = unavailableInstances
    }

    /// The entries that will be probed.
    public var probeable: [PlannedProbe] {
        self.entries.filter { $0.target != nil }
    }

    /// The entries listed with a reason.
    public var notProbeable: [PlannedProbe] {
        self.entries.filter { $0.target == nil }
    }

    /// Both plans' entries and unavailable instances.
    public static func + (lhs: ProbePlan, rhs: ProbePlan) -> ProbePlan {
        // A round's plan is summed from every instance's and the frontends' (usually one of 10,000 servers and
        // none): an empty side adds nothing, so the other's entries are not copied (2 MB at 10,000 servers).
        if lhs.entries.isEmpty || rhs.entries.isEmpty {
            return ProbePlan(
                entries: lhs.entries.isEmpty ? rhs.entries : lhs.entries,
                unavailableInstances: lhs.unavailableInstances.union(rhs.unavailableInstances))
        }
        return ProbePlan(
            entries: lhs.entries + rhs.entries,
            unavailableInstances: lhs.unavailableInstances.union(rhs.unavailableInstances)
        )
    }
}
