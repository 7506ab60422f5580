/// A Prometheus histogram: cumulative counts per upper bound, a sum and a count.
///
/// Pure and `Sendable`, so a recorder can keep one per series behind a lock and the exposition can copy it
/// out; the probe latencies that come later use the same type.
public struct BucketHistogram: Sendable, Hashable {
    /// Upper bounds in seconds, ascending; `+Inf` is implied.
    public let bounds: [Double]
    /// Observations per bucket (not cumulative); the last entry counts those above every bound.
    private(set) var counts: [Int]
    public private(set) var sum: Double = 0
    public private(set) var count: Int = 0

    /// From 1 ms to 10 s: a poll of a healthy local HAProxy takes a few ms, one of a remote or loaded one
    /// hundreds, and the request timeout ends it at 5 s by default.
    public static let pollSeconds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init(bounds: [Double] = BucketHistogram.pollSeconds) {
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "histogram bounds must ascend")
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count + 1)
    }

    public mutating func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        counts[index] += 1
        sum += value
        count += 1
    }

    /// `(le, cumulative count)` pairs as the exposition writes them, ending with `+Inf`.
    public var cumulativeBuckets: [(upperBound: Double, count: Int)] {
        var running = 0
        var result: [(upperBound: Double, count: Int)] = []
        for (index, bound) in (bounds + [.infinity]).enumerated() {
            running += counts[index]
            result.append((bound, running))
        }
        return result
    }
}
