import Histogram

/// A rolling latency distribution (p50/p95/p99 over the last few minutes) in bounded memory.
///
/// Each slice of the window is an HdrHistogram (2 significant digits, microsecond units): recording is O(1), the
/// memory of a slice does not grow with the number of samples, and percentiles of the window are those of the
/// merged live slices. Samples above `highestTrackable` are clamped to it rather than dropped, so a timeout still
/// weighs in the tail.
public struct LatencyWindow: Sendable {
    /// The highest latency told apart; larger values are recorded as this.
    public let highestTrackable: Duration
    private var slices: TimeSlices<Histogram<UInt32>>

    /// - Parameters:
    ///   - length: how far back percentiles look.
    ///   - slices: into how many histograms the window is cut; more slices expire old data more smoothly but cost
    ///     memory (about 5 KB each for latencies under 65 ms, 11 KB at most with a 60 s maximum).
    ///   - highestTrackable: the largest latency distinguished.
    ///   - origin: the instant slices are aligned to; pass the same one to every window that should roll together.
    public init(
        length: Duration = .seconds(300),
        slices: Int = 5,
        highestTrackable: Duration = .seconds(60),
        origin: ContinuousClock.Instant
    ) {
        self.highestTrackable = highestTrackable
        self.slices = TimeSlices(window: length, count: slices, origin: origin)
    }

    /// Records one latency observed at `now`.
    public mutating func record(_ latency: Duration, at now: ContinuousClock.Instant) {
        let highest = max(2, self.highestTrackable.wholeMicroseconds)
        let value = min(latency.wholeMicroseconds, highest)
        self.slices.update(at: now, make: { Self.makeHistogram() }) { histogram in
            _ = histogram.record(value)
        }
    }

    /// The distribution of the window ending at `now`.
    public func summary(at now: ContinuousClock.Instant) -> LatencySummary {
        let live = self.slices.live(at: now)
        guard var merged = live.first else {
            return LatencySummary()
        }
        for slice in live.dropFirst() {
            merged.add(slice)
        }
        guard merged.totalCount > 0 else {
            return LatencySummary()
        }
        func duration(_ micros: UInt64) -> Duration { .microseconds(Int64(clamping: micros)) }
        return LatencySummary(
            count: Int(clamping: merged.totalCount),
            min: duration(merged.min),
            p50: duration(merged.valueAtPercentile(50)),
            p95: duration(merged.valueAtPercentile(95)),
            p99: duration(merged.valueAtPercentile(99)),
            max: duration(merged.max)
        )
    }

    /// Bytes held by the histograms, live or not yet overwritten.
    public var estimatedFootprintInBytes: Int {
        self.slices.stored.reduce(0) { $0 + $1.estimatedFootprintInBytes }
    }

    /// Grows on demand (`autoResize`), so a slice holding only LAN latencies costs about 5 KB; the clamp in
    /// ``record(_:at:)`` caps the growth at `highestTrackable`.
    private static func makeHistogram() -> Histogram<UInt32> {
        Histogram<UInt32>(numberOfSignificantValueDigits: .two)
    }
}

/// Percentiles of one latency distribution; all zero when `count` is 0.
public struct LatencySummary: Sendable, Hashable {
    public var count: Int
    public var min: Duration
    public var p50: Duration
    public var p95: Duration
    public var p99: Duration
    public var max: Duration

    public init(
        count: Int = 0,
        min: Duration = .zero,
        p50: Duration = .zero,
        p95: Duration = .zero,
        p99: Duration = .zero,
        max: Duration = .zero
    ) {
        self.count = count
        self.min = min
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
    }

    public var isEmpty: Bool { self.count == 0 }
}

// JSON: milliseconds, like ``ProbeTimings``.
extension LatencySummary: Codable {
    enum CodingKeys: String, CodingKey {
        case count, minMs, p50Ms, p95Ms, p99Ms, maxMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.count, forKey: .count)
        try c.encode(self.min.milliseconds, forKey: .minMs)
        try c.encode(self.p50.milliseconds, forKey: .p50Ms)
        try c.encode(self.p95.milliseconds, forKey: .p95Ms)
        try c.encode(self.p99.milliseconds, forKey: .p99Ms)
        try c.encode(self.max.milliseconds, forKey: .maxMs)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func ms(_ key: CodingKeys) throws -> Duration { Duration(milliseconds: try c.decode(Double.self, forKey: key)) }
        self.init(
            count: try c.decode(Int.self, forKey: .count),
            min: try ms(.minMs),
            p50: try ms(.p50Ms),
            p95: try ms(.p95Ms),
            p99: try ms(.p99Ms),
            max: try ms(.maxMs)
        )
    }
}
