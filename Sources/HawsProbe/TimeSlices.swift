/// A ring of per-interval buckets covering a rolling window, so old samples fall out without being stored one by
/// one.
///
/// Slice `n` covers `[origin + n*length, origin + (n+1)*length)`. A window of `count` slices covers the current
/// (partial) slice and the `count - 1` before it, so "the last 5 minutes" in five 1-minute slices means between 4
/// and 5 minutes of data: the usual price of bounded memory. Time is passed in, never read, so tests need no sleep.
struct TimeSlices<Value: Sendable>: Sendable {
    let sliceLength: Duration
    let count: Int
    let origin: ContinuousClock.Instant
    private var slots: [(epoch: Int64, value: Value)?]

    init(window: Duration, count: Int, origin: ContinuousClock.Instant) {
        precondition(count > 0, "a window needs at least one slice")
        precondition(window > .zero, "a window must be longer than zero")
        self.count = count
        self.sliceLength = window / count
        self.origin = origin
        self.slots = Array(repeating: nil, count: count)
    }

    /// The slice number `now` falls in (negative before `origin`).
    func epoch(at now: ContinuousClock.Instant) -> Int64 {
        let offset = Self.nanoseconds(now - self.origin)
        let length = max(1, Self.nanoseconds(self.sliceLength))
        let quotient = offset / length
        return offset < 0 && offset % length != 0 ? quotient - 1 : quotient
    }

    /// Updates the slice `now` falls in, starting it from `make()` if it is new. A `now` older than the window (or
    /// than a slice already reused) is dropped: out-of-order samples never resurrect expired data.
    mutating func update(at now: ContinuousClock.Instant, make: () -> Value, _ body: (inout Value) -> Void) {
        let epoch = self.epoch(at: now)
        let index = Int(((epoch % Int64(self.count)) + Int64(self.count)) % Int64(self.count))
        if let slot = self.slots[index], slot.epoch > epoch {
            return
        }
        var value: Value
        if let slot = self.slots[index], slot.epoch == epoch {
            value = slot.value
            self.slots[index] = nil  // keeps the value uniquely referenced while it is mutated
        } else {
            value = make()
        }
        body(&value)
        self.slots[index] = (epoch, value)
    }

    /// The slices inside the window ending at `now`, oldest first.
    func live(at now: ContinuousClock.Instant) -> [Value] {
        let current = self.epoch(at: now)
        return self.slots.compactMap { $0 }
            .filter { $0.epoch <= current && $0.epoch > current - Int64(self.count) }
            .sorted { $0.epoch < $1.epoch }
            .map(\.value)
    }

    /// All stored slices, live or stale, for memory accounting.
    var stored: [Value] {
        self.slots.compactMap { $0?.value }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
