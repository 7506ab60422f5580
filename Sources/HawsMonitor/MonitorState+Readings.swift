import HawsCore

extension MonitorState {
    /// The latest reading of every instance, in the form a one-off read gives it: what a consumer that plans work
    /// per server (the continuous probes of `haws top` and `haws agent`) needs from the engine.
    ///
    /// A stale instance still reads as its last good snapshot (its servers are most likely where they were), while
    /// an unreachable one, or one not polled yet, is `unreachable`: the probe scheduler then keeps the targets it
    /// already had for it rather than forgetting them with their history.
    public var readings: [InstanceReading] {
        self.instances.map { live in
            switch live.health {
            case .reachable, .stale:
                if let snapshot = live.snapshot {
                    return .read(snapshot)
                }
                return .unreachable(instance: live.name, error: live.lastError ?? "no snapshot yet")
            case .waiting:
                return .unreachable(instance: live.name, error: "not polled yet")
            case .unreachable(let error):
                return .unreachable(instance: live.name, error: error)
            }
        }
    }
}

extension MonitorState {
    /// Whether every instance has been polled at least once (successfully or not): before that, a plan of work per
    /// server would miss the instances still `waiting`.
    public var everyInstancePolled: Bool {
        self.instances.allSatisfy { $0.health != .waiting }
    }
}
