/// The last few probes of one server, in a fixed few hundred bytes: the window behind continuous probing's
/// percentiles, success ratio and failures by code.
///
/// Continuous probing keeps one of these per probed object (10,000 at a large site), so its size is the memory
/// cost of probing per server. The previous window, five HdrHistograms per phase (``LatencyWindow``), cost about
/// 25 KB per phase and minute and grew for five minutes to over 100 KB per server: 1.2 GB at 10,000 servers. A ring
/// of the last ``capacity`` samples (2 or 4 bytes per phase the probes had, and a failure code for each failed one) is
/// exact for the percentiles of so few probes, costs a fixed ``estimatedFootprintInBytes`` from the first probe on
/// (about 320 bytes for 24 passing probes by IP without TLS on a LAN, 560 in 4-byte values, 830 when every sample
/// stored all eight lanes, 1,184 when each also carried an optional code), and does not need the clock.
/// The window is a number of probes, not minutes: with the probe budget spreading probes out, "the last 24 probes"
/// keeps meaning something at any period, where a 5-minute window could hold one sample.
///
/// Values are stored in 2 bytes while every one in the ring is below 65.535 ms (a LAN's latencies), in 4 from the
/// first that is not: exact either way, and 2.4 MB less at 10,000 servers on a LAN.
public struct RecentProbes: Sendable, Hashable {
    /// Default window: 24 probes (4 minutes at the 10 s default interval).
    public static let defaultCapacity = 24

    /// A phase that did not run.
    static let absent = UInt32.max
    /// Where the total sits in a sample's lanes, after the seven phases.
    static let totalLane = ProbePhase.allCases.count

    public let capacity: Int
    /// Which lanes (bit `n`: lane `n`, the seven phases then the total) the ring stores: only those some probe in
    /// it had. A WebSocket probe by IP without TLS has no resolve or TLS phase, so a sample is 20 bytes, not 32: at
    /// 10,000 servers that is 2.9 MB less for the same figures.
    private var lanes: UInt8 = 0
    /// One sample per probe, ``laneCount`` values each, in lane order: each phase's latency in microseconds
    /// (``absent`` when the phase did not run) and the total (passed probes only, as ``ProbeStatistics`` does: a
    /// timeout is no latency). In ``narrow`` (`UInt16.max`: absent) until a value does not fit, then in ``wide``
    /// for the rest of the window's life; the other array stays empty (no allocation).
    private var narrow: [UInt16] = []
    private var wide: [UInt32] = []
    private var isWide = false
    /// The upgrade's p95 over the ring, in microseconds (``absent``: none), kept as each probe arrives: top sorts and
    /// shows it for every server (HS p95), and working it out from the ring on each read put a sort of the window per
    /// row on the UI loop. Beside ``isWide``, it takes the padding after it: no larger a window.
    private var upgradeP95Micros = Self.absent
    /// Samples held.
    private var stored = 0
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
    public var count: Int { self.stored }

    /// Values per sample.
    private var laneCount: Int { self.lanes.nonzeroBitCount }

    /// Where `lane` sits in a sample; `nil` when the ring does not store it.
    private func offset(of lane: Int) -> Int? {
        let bit = UInt8(1) << UInt8(lane)
        guard self.lanes & bit != 0 else { return nil }
        return (self.lanes & (bit &- 1)).nonzeroBitCount
    }

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
        var present: UInt8 = 0
        for lane in 0..<8 where micros[lane] != Self.absent {
            present |= UInt8(1) << UInt8(lane)
        }
        let fitsTwoBytes = (0..<8).allSatisfy { micros[$0] == Self.absent || micros[$0] < UInt32(Self.narrowAbsent) }
        if !self.isWide, !fitsTwoBytes {
            self.wide = self.narrow.map(Self.value(of:))
            self.wide.reserveCapacity(self.capacity * max(self.laneCount, present.nonzeroBitCount))
            self.narrow = []
            self.isWide = true
        }
        if present & ~self.lanes != 0 {
            self.widen(to: self.lanes | present)
        }
        let slot: Int
        if self.stored < self.capacity {
            slot = self.stored
            self.stored += 1
            if self.isWide {
                self.wide.append(contentsOf: repeatElement(Self.absent, count: self.laneCount))
            } else {
                self.narrow.append(contentsOf: repeatElement(Self.narrowAbsent, count: self.laneCount))
            }
        } else {
            slot = self.next
            self.next = (self.next + 1) % self.capacity
        }
        var index = slot * self.laneCount
        for lane in 0..<8 where self.lanes & (UInt8(1) << UInt8(lane)) != 0 {
            if self.isWide {
                self.wide[index] = micros[lane]
            } else {
                self.narrow[index] = micros[lane] == Self.absent ? Self.narrowAbsent : UInt16(micros[lane])
            }
            index += 1
        }
        if !self.failureCodes.isEmpty {
            self.failureCodes.removeAll { $0.slot == Int32(slot) }
        }
        if let code = result.failure?.code {
            self.failureCodes.append(FailedSlot(slot: Int32(slot), code: code))
        }
        let upgrade = self.summary(lane: Self.upgradeLane)
        self.upgradeP95Micros = upgrade.isEmpty ? Self.absent : UInt32(upgrade.p95.wholeMicroseconds)
    }

    /// The upgrade's p95 over the window (request sent to 101 received); `nil` before a probe that got that far.
    public var upgradeP95: Duration? {
        self.upgradeP95Micros == Self.absent ? nil : .microseconds(Int64(self.upgradeP95Micros))
    }

    private static let upgradeLane = ProbePhase.allCases.firstIndex(of: .upgrade)!

    /// Stores `lanes` from now on: the samples held get ``absent`` in the lanes they did not store. Happens once or
    /// twice in a window's life (its first probe; a first failure, whose phases differ), so the one allocation of
    /// the ring's whole capacity is made then.
    private mutating func widen(to lanes: UInt8) {
        let old = self.lanes
        let oldCount = self.laneCount
        self.lanes = lanes
        if self.isWide {
            self.wide = Self.relaid(self.wide, from: old, count: oldCount, to: lanes, samples: self.stored,
                capacity: self.capacity * self.laneCount, absent: Self.absent)
        } else {
            self.narrow = Self.relaid(self.narrow, from: old, count: oldCount, to: lanes, samples: self.stored,
                capacity: self.capacity * self.laneCount, absent: Self.narrowAbsent)
        }
    }

    /// `values` (samples of the lanes `old`, `count` each) laid out for `lanes`, in a buffer of `capacity`.
    private static func relaid<Value>(
        _ values: [Value], from old: UInt8, count: Int, to lanes: UInt8, samples: Int, capacity: Int, absent: Value
    ) -> [Value] {
        var relaid: [Value] = []
        relaid.reserveCapacity(capacity)
        for sample in 0..<samples {
            var index = sample * count
            for lane in 0..<8 where lanes & (UInt8(1) << UInt8(lane)) != 0 {
                if old & (UInt8(1) << UInt8(lane)) != 0 {
                    relaid.append(values[index])
                    index += 1
                } else {
                    relaid.append(absent)
                }
            }
        }
        return relaid
    }

    /// The value at `index` of the ring, in microseconds (``absent``: the phase did not run).
    private func value(at index: Int) -> UInt32 {
        self.isWide ? self.wide[index] : Self.value(of: self.narrow[index])
    }

    private static func value(of narrow: UInt16) -> UInt32 {
        narrow == Self.narrowAbsent ? Self.absent : UInt32(narrow)
    }

    /// A phase that did not run, in the 2-byte form; every value below it fits that form.
    static let narrowAbsent = UInt16.max

    /// The figures of the window, under `targetID`; `nil` before the first probe.
    public func statistics(targetID: String) -> TargetStatistics? {
        guard self.stored > 0 else {
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
            probes: self.stored,
            passed: self.stored - failed,
            failed: failed,
            successRatio: Double(self.stored - failed) / Double(self.stored),
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
        let width = self.isWide ? MemoryLayout<UInt32>.stride : MemoryLayout<UInt16>.stride
        return MemoryLayout<Self>.size + Self.arrayHeader + self.capacity * self.laneCount * width + failures
    }

    /// The header of an array's heap buffer (count, capacity, object header): 32 bytes on 64-bit platforms.
    private static let arrayHeader = 32

    /// Nearest-rank percentiles of one lane, over the samples that have it.
    private func summary(lane: Int) -> LatencySummary {
        var values: [UInt32] = []
        guard let offset = self.offset(of: lane) else {
            return LatencySummary()
        }
        values.reserveCapacity(self.stored)
        let stride = self.laneCount
        for sample in 0..<self.stored where self.value(at: sample * stride + offset) != Self.absent {
            values.append(self.value(at: sample * stride + offset))
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
