/// The last few probes of one server, in a fixed few hundred bytes: the window behind continuous probing's
/// percentiles, success ratio and failures by code.
///
/// Continuous probing keeps one of these per probed object (10,000 at a large site), so its size is the memory
/// cost of probing per server. The previous window, five HdrHistograms per phase (``LatencyWindow``), cost about
/// 25 KB per phase and minute and grew for five minutes to over 100 KB per server: 1.2 GB at 10,000 servers. A ring
/// of the last ``capacity`` samples (32 bytes of latencies and a failure code each) is exact for the percentiles of
/// so few probes, costs a fixed ``estimatedFootprintInBytes`` from the first probe on, and does not need the clock.
/// The window is a number of probes, not minutes: with the probe budget spreading probes out, "the last 24 probes"
/// keeps meaning something at any period, where a 5-minute window could hold one sample.
public struct RecentProbes: Sendable, Hashable {
    /// Default window: 24 probes (4 minutes at the 10 s default interval).
    public static let defaultCapacity = 24

    /// One probe: each phase's latency in microseconds (``absent`` when the phase did not run), the total (passed
    /// probes only, as ``ProbeStatistics`` does: a timeout is no latency), and the failure code.
    struct Sample: Sendable, Hashable {
        var micros: SIMD8<UInt32>
        var failureCode: String?
    }

    /// A phase that did not run.
    static let absent = UInt32.max
    /// Where the total sits in ``Sample/micros``, after the seven phases.
    static let totalLane = ProbePhase.allCases.count

    public let capacity: Int
    private var samples: [Sample] = []
    /// Where the next sample goes once the ring is full.
    private var next = 0

    public init(capacity: Int = RecentProbes.defaultCapacity) {
        precondition(capacity > 0, "a window needs at least one probe")
        self.capacity = capacity
    }

    /// Probes held (at most ``capacity``).
    public var count: Int { self.samples.count }

    /// Adds one probe, dropping the oldest once ``capacity`` are held.
    public mutating func record(_ result: ProbeResult) {
        var micros = SIMD8<UInt32>(repeating: Self.absent)
        for (lane, phase) in ProbePhase.allCases.enumerated() {
            if let latency = result.timings[phase] {
                micros[lane] = Self.micros(latency)
            }
        }
        if result.passed {
            micros[Self.totalLane] = Self.micros(result.timings.total)
        }
        let sample = Sample(micros: micros, failureCode: result.failure?.code)
        if self.samples.count < self.capacity {
            if self.samples.isEmpty {
                self.samples.reserveCapacity(self.capacity)  // one allocation for the life of the window
            }
            self.samples.append(sample)
        } else {
            self.samples[self.next] = sample
            self.next = (self.next + 1) % self.capacity
        }
    }

    /// The figures of the window, under `targetID`; `nil` before the first probe.
    public func statistics(targetID: String) -> TargetStatistics? {
        guard !self.samples.isEmpty else {
            return nil
        }
        var failures: [String: Int] = [:]
        for case let code? in self.samples.map(\.failureCode) {
            failures[code, default: 0] += 1
        }
        let failed = failures.values.reduce(0, +)
        var phases: [ProbePhase: LatencySummary] = [:]
        for (lane, phase) in ProbePhase.allCases.enumerated() {
            let summary = self.summary(lane: lane)
            if !summary.isEmpty {
                phases[phase] = summary
            }
        }
        return TargetStatistics(
            targetID: targetID,
            probes: self.samples.count,
            passed: self.samples.count - failed,
            failed: failed,
            successRatio: Double(self.samples.count - failed) / Double(self.samples.count),
            failures: failures,
            phases: phases,
            total: self.summary(lane: Self.totalLane)
        )
    }

    /// Bytes this window holds once full: the ring's storage and the value itself. A failure code is at most 15
    /// UTF-8 bytes, so it sits inside the sample (Swift's small-string form) and costs no allocation of its own.
    public var estimatedFootprintInBytes: Int {
        MemoryLayout<Self>.size + Self.arrayHeader + self.capacity * MemoryLayout<Sample>.stride
    }

    /// The header of an array's heap buffer (count, capacity, object header): 32 bytes on 64-bit platforms.
    private static let arrayHeader = 32

    /// Nearest-rank percentiles of one lane, over the samples that have it.
    private func summary(lane: Int) -> LatencySummary {
        var values: [UInt32] = []
        values.reserveCapacity(self.samples.count)
        for sample in self.samples where sample.micros[lane] != Self.absent {
            values.append(sample.micros[lane])
        }
        guard !values.isEmpty else {
            return LatencySummary()
        }
        values.sort()
        func rank(_ percent: Int) -> Duration {
            let index = max(0, (percent * values.count + 99) / 100 - 1)
            return .microseconds(Int64(values[min(index, values.count - 1)]))
        }
        return LatencySummary(
            count: values.count,
            min: .microseconds(Int64(values[0])),
            p50: rank(50),
            p95: rank(95),
            p99: rank(99),
            max: .microseconds(Int64(values[values.count - 1]))
        )
    }

    /// Whole microseconds, clamped below ``absent`` (71 minutes: far beyond any probe deadline).
    private static func micros(_ duration: Duration) -> UInt32 {
        UInt32(min(duration.wholeMicroseconds, UInt64(Self.absent - 1)))
    }
}
