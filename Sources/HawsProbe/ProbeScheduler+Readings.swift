import HawsCore

extension ProbeScheduler {
    /// A scheduler whose every round probes what HAProxy lists at that moment: the continuous probes of `haws top`
    /// and `haws agent`.
    ///
    /// `readings` is asked at the start of each round (the monitor's latest snapshot of every instance, never a new
    /// read of HAProxy), so servers added or removed by a reload are picked up at the next round and probing costs
    /// HAProxy nothing. An instance that is unreachable keeps its last targets (see ``ProbePlan``).
    ///
    /// - Parameters:
    ///   - settings: cadence, concurrency, options and per-backend requests.
    ///   - frontendInstance: the instance frontend URLs are reported under
    ///     (``ProbeTargetDiscovery/frontendInstance(among:)``).
    ///   - readings: the latest reading of every instance.
    public init(
        settings: ProbeSettings,
        frontendInstance: String,
        readings: @escaping @Sendable () async -> [InstanceReading],
        probe: @escaping Probe,
        probeCPU: @escaping @Sendable () async -> Duration = { .zero },
        clock: Clock = .live,
        onEvent: @escaping @Sendable (MonitorEvent) -> Void = { _ in },
        onBoard: @escaping @Sendable (ProbeBoard) -> Void = { _ in }
    ) {
        self.init(
            configuration: Configuration(settings),
            targets: {
                ProbeTargetDiscovery.plan(for: await readings(), settings: settings, frontendInstance: frontendInstance)
            },
            probe: probe,
            probeCPU: probeCPU,
            clock: clock,
            onEvent: onEvent,
            onBoard: onBoard
        )
    }
}
