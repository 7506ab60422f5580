/// Rolling per-target figures over the last few minutes: latency percentiles per phase, success ratio, failures by
/// code.
///
/// A single probe says little (one slow connect is noise); an operator needs "p99 upgrade time is 800 ms and 3% of
/// probes fail with `bad_accept`". Memory is bounded per target (a fixed number of histogram slices per phase,
/// allocated only for phases that ran), and time is passed in, so the window rolls in tests without sleeping.
/// With the defaults a full-mode `ws://` target keeps five series (connect, upgrade, ping, close, total) of five
/// slices: about 125 KB at LAN latencies, 280 KB at most. A value type: the owner (an actor or the monitor's
/// engine) decides how it is shared.
public struct ProbeStatistics: Sendable {
    public let window: Duration
    public let sliceCount: Int
    public let highestTrackable: Duration
    private let origin: ContinuousClock.Instant
    private var targets: [String: TargetWindow] = [:]

    /// - Parameters:
    ///   - window: how far back figures look (default 5 minutes).
    ///   - slices: how many slices the window is cut into (default 5, so data expires a minute at a time).
    ///   - highestTrackable: the largest latency told apart (larger ones count as this).
    ///   - origin: the instant slices are aligned to.
    public init(
        window: Duration = .seconds(300),
        slices: Int = 5,
        highestTrackable: Duration = .seconds(60),
        origin: ContinuousClock.Instant = .now
    ) {
        self.window = window
        self.sliceCount = slices
        self.highestTrackable = highestTrackable
        self.origin = origin
    }

    /// Adds one probe result observed at `now`, under its target's ``ProbeTarget/id``.
    ///
    /// Every phase that finished is recorded, even in a failed probe (the connect time of a probe that then got a
    /// 502 is still a connect time); the total is recorded for passed probes only, so timeouts do not masquerade as
    /// latency. Failures count in the ratio and by code.
    public mutating func record(_ result: ProbeResult, at now: ContinuousClock.Instant) {
        let id = result.target.id
        var target = self.targets[id] ?? self.makeTargetWindow()
        self.targets[id] = nil  // keeps the histograms uniquely referenced while they are updated
        for phase in ProbePhase.allCases {
            guard let latency = result.timings[phase] else {
                continue
            }
            var window = target.phases[phase] ?? self.makeLatencyWindow()
            window.record(latency, at: now)
            target.phases[phase] = window
        }
        if result.passed {
            target.total.record(result.timings.total, at: now)
        }
        target.outcomes.update(at: now, make: { OutcomeCounts() }) { counts in
            if let failure = result.failure {
                counts.failed += 1
                counts.failures[failure.code, default: 0] += 1
            } else {
                counts.passed += 1
            }
        }
        self.targets[id] = target
    }

    /// The figures of one target over the window ending at `now`, or `nil` if it was never recorded.
    public func statistics(for targetID: String, at now: ContinuousClock.Instant) -> TargetStatistics? {
        guard let target = self.targets[targetID] else {
            return nil
        }
        var outcomes = OutcomeCounts()
        for slice in target.outcomes.live(at: now) {
            outcomes.passed += slice.passed
            outcomes.failed += slice.failed
            outcomes.failures.merge(slice.failures, uniquingKeysWith: +)
        }
        var phases: [ProbePhase: LatencySummary] = [:]
        for (phase, window) in target.phases {
            let summary = window.summary(at: now)
            if !summary.isEmpty {
                phases[phase] = summary
            }
        }
        let probes = outcomes.passed + outcomes.failed
        return TargetStatistics(
            targetID: targetID,
            probes: probes,
            passed: outcomes.passed,
            failed: outcomes.failed,
            successRatio: probes == 0 ? nil : Double(outcomes.passed) / Double(probes),
            failures: outcomes.failures,
            phases: phases,
            total: target.total.summary(at: now)
        )
    }

    /// Figures for every target, sorted by id.
    public func allStatistics(at now: ContinuousClock.Instant) -> [TargetStatistics] {
        self.targetIDs.compactMap { self.statistics(for: $0, at: now) }
    }

    /// The ids of the targets held.
    public var targetIDs: [String] {
        self.targets.keys.sorted()
    }

    /// Forgets one target (removed from the configuration, or its server deleted).
    public mutating func remove(_ targetID: String) {
        self.targets[targetID] = nil
    }

    /// Forgets targets with no probe inside the window ending at `now`, so memory follows the live target set.
    public mutating func removeIdle(at now: ContinuousClock.Instant) {
        self.targets = self.targets.filter { !$0.value.outcomes.live(at: now).isEmpty }
    }

    /// Bytes held by histograms across all targets (the dominant cost).
    public var estimatedFootprintInBytes: Int {
        self.targets.values.reduce(0) { sum, target in
            sum + target.total.estimatedFootprintInBytes
                + target.phases.values.reduce(0) { $0 + $1.estimatedFootprintInBytes }
        }
    }

    private func makeLatencyWindow() -> LatencyWindow {
        LatencyWindow(
            length: self.window,
            slices: self.sliceCount,
            highestTrackable: self.highestTrackable,
            origin: self.origin
        )
    }

    private func makeTargetWindow() -> TargetWindow {
        TargetWindow(
            phases: [:],
            total: self.makeLatencyWindow(),
            outcomes: TimeSlices(window: self.window, count: self.sliceCount, origin: self.origin)
        )
    }
}

/// The state kept for one target.
struct TargetWindow: Sendable {
    var phases: [ProbePhase: LatencyWindow]
    var total: LatencyWindow
    var outcomes: TimeSlices<OutcomeCounts>
}

/// Probe outcomes of one slice.
struct OutcomeCounts: Sendable {
    var passed = 0
    var failed = 0
    var failures: [String: Int] = [:]
}

/// One target's figures over the window.
public struct TargetStatistics: Sendable, Hashable, Codable {
    /// The target's ``ProbeTarget/id`` (its URL).
    public var targetID: String
    public var probes: Int
    public var passed: Int
    public var failed: Int
    /// `passed / probes`, or `nil` when no probe ran in the window.
    public var successRatio: Double?
    /// Failed probes by ``ProbeFailure/code``.
    public var failures: [String: Int]
    /// Latency per phase, for phases with samples in the window.
    public var phases: [ProbePhase: LatencySummary]
    /// Total probe time of passed probes.
    public var total: LatencySummary
}

extension ProbePhase: CodingKeyRepresentable {}
