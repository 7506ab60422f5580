extension ProbeBoard {
    /// The entries of this board that say something `previous` did not: a new probe result, or a new reason not to
    /// probe (first listed, or changed).
    ///
    /// A board carries every object's *latest* result, so a consumer that logs or counts results (the agent's
    /// NDJSON `probe` lines and Prometheus counters) must not take an entry twice: an object whose probe was
    /// cancelled, or that was not probed this round, still shows its old result. Comparing with the previous board
    /// rather than trusting round numbers keeps this pure and right whatever the scheduler skipped. Sorted like
    /// ``sortedEntries``.
    public func news(since previous: ProbeBoard?) -> [Entry] {
        // Filtered before sorting: a limited round changes a few hundred of 10,000 entries.
        self.entries.values.filter { entry in
            let before = previous?[entry.key]
            if let before, before.isSameValue(as: entry) {
                return false  // left alone by the round: the usual case, decided without rebuilding two results
            }
            if let reason = entry.notProbeable {
                return before?.notProbeable != reason
            }
            guard let result = entry.lastResult else {
                return false
            }
            return before?.lastResult != result
        }.sorted { $0.key < $1.key }
    }
}
