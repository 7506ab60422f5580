import NIOCore

extension TimeAmount {
    /// Converts a Swift `Duration` (the lab's public unit) to NIO's `TimeAmount` (what event loops schedule with).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down: the unit of HAProxy's `inter` and plain timeouts.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
