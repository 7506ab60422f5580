extension Duration {
    /// The duration in milliseconds as a `Double`: the unit operators read latencies in and that JSON output uses.
    public var milliseconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }

    /// Whole microseconds, the resolution latency histograms record at (rounded down, never negative).
    var wholeMicroseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return micros > 0 ? UInt64(micros) : 0
    }

    /// A duration from milliseconds, the inverse of ``milliseconds`` (to decode JSON).
    init(milliseconds: Double) {
        self = .nanoseconds(Int64((milliseconds * 1e6).rounded()))
    }
}

extension Duration {
    /// "250 ms" or "1.5 s": how timeouts read in a failure line.
    var shortDescription: String {
        let ms = self.milliseconds
        if ms < 1_000 {
            return ms == ms.rounded() ? "\(Int(ms)) ms" : "\(((ms * 10).rounded() / 10)) ms"
        }
        let seconds = (ms / 10).rounded() / 100
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
