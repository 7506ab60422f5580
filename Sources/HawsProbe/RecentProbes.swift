/// The last few probes of one server, in a fixed few hundred bytes: the window behind continuous probing's
/// percentiles, success ratio and failures by code.
///
/// Continuous probing keeps one of these per probed object (10,000 at a large site), so its size is the memory
/// cost of probing per server. The previous window, five HdrHistograms per phase (``LatencyWindow``), cost about
/// 25 KB per phase and minute and grew for five minutes to over 100 KB per server: 1.2 GB at 10,000 servers. A ring
/// of the last ``capacity`` samples (32 bytes of latencies each, and a failure code for each failed one) is exact for
/// the percentiles of so few probes, costs a fixed ``estimatedFootprintInBytes`` from the first probe on (800 bytes
/// for 24 passing probes; 1,184 when each sample carried an optional code), and does not need the clock.
/// The window is a number of probes, not minutes: with the probe budget spreading probes out, "the last 24 probes"
/// keeps meaning something at any period, where a 5-minute window could hold one sample.
public struct RecentProbes: Sendable, Hashable {
    /// Default window: 24 probes (4 minutes at the 10 s default interval).
    public static let defaultCapacity = 24

    /// A phase that did not run.
    static let absent = UInt32.max
    /// Where the total sits in a sample's lanes, after the seven phases.
    static let totalLane = ProbePhase.allCases.count

    public let capacity: Int
    /// One sample per probe: each phase's latency in microseconds (``absent`` when the phase did not run) and the
    /// total (passed probes only, as ``ProbeStatistics`` does: a timeout is no latency). 32 bytes a sample.
    private var samples: [SIMD8<UInt32>] = []
    /// The failure code of each failed sample still in the ring, by slot: empty (no allocation) while the server
    /// passes, which is most of them, so a passing window is the latencies alone.
    private var failureCodes: [FailedSlot] = []

    struct FailedSlot: Sendable, Hashable {
        var slot: Int32
        var code: String
    }
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
        let slot: Int
        if self.samples.count < self.capacity {
            if self.samples.isEmpty {
                self.samples.reserveCapacity(self.capacity)  // one allocation for the life of the window
            }
            slot = self.samples.count
            self.samples.append(micros)
        } else {
            slot = self.next
            self.samples[slot] = micros
            self.next = (self.next + 1) % self.capacity
        }
        if !self.failureCodes.isEmpty {
            self.failureCodes.removeAll { $0.slot == Int32(slot) }
        }
        if let code = result.failure?.code {
            self.failureCodes.append(FailedSlot(slot: Int32(slot), code: code))
        }
    }

    /// The figures of the window, under `targetID`; `nil` before the first probe.
    public func statistics(targetID: String) -> TargetStatistics? {
        guard !self.samples.isEmpty else {
            return nil
        }
        var failures: [String: Int] = [:]
        for failed in self.failureCodes {
            failures[failed.code, default: 0] += 1
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

    /// Bytes this window holds once full: the ring's storage and the value itself, plus the codes of the failed
    /// probes in it (none while the server passes; a code is at most 15 UTF-8 bytes, so Swift's small-string form
    /// keeps it inside its pair).
    public var estimatedFootprintInBytes: Int {
        let failures = self.failureCodes.isEmpty
            ? 0 : Self.arrayHeader + self.failureCodes.capacity * MemoryLayout<FailedSlot>.stride
        return MemoryLayout<Self>.size + Self.arrayHeader + self.capacity * MemoryLayout<SIMD8<UInt32>>.stride + failures
    }

    /// The header of an array's heap buffer (count, capacity, object header): 32 bytes on 64-bit platforms.
    private static let arrayHeader = 32

    /// Nearest-rank percentiles of one lane, over the samples that have it.
    private func summary(lane: Int) -> LatencySummary {
        var values: [UInt32] = []
        values.reserveCapacity(self.samples.count)
        for sample in self.samples where sample[lane] != Self.absent {
            values.append(sample[lane])
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
