extension AgentExposition {
    /// Whether a scrape of `observed` writes per-server series: while the instances read now hold at most
    /// `maxServerSeries` servers in total. The same rule ``build(_:maxServerSeries:contributors:)`` applies, for
    /// contributors (probe metrics) whose per-server series must follow the same decision.
    public static func writesServerSeries(_ observed: AgentObservations.Snapshot, maxServerSeries: Int) -> Bool {
        var servers = 0
        for live in observed.state?.instances ?? [] {
            guard SnapshotLine.isCurrent(live), let snapshot = live.snapshot else {
                continue
            }
            servers += snapshot.backends.reduce(0) { $0 + $1.servers.count }
        }
        return servers <= maxServerSeries
    }
}
