#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Time as haws sees it: a monotonic instant for cadence, the wall clock for what is recorded, and a sleep.
///
/// The one clock of the monitor engine and the probe scheduler. It is a value of closures (not a protocol), so a
/// test passes a manual clock whose time moves only when the test or a sleep moves it: rates, schedules,
/// staleness and timeouts are tested without waiting on the wall clock. ``live`` is the real one.
public struct TimeSource: Sendable {
    /// Now, on a monotonic clock: intervals and deadlines.
    public var instant: @Sendable () -> ContinuousClock.Instant
    /// Now, on the wall clock: event and poll times, result dates.
    public var date: @Sendable () -> Date
    /// Suspends for a duration (throws when the task is cancelled).
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        instant: @escaping @Sendable () -> ContinuousClock.Instant,
        date: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.instant = instant
        self.date = date
        self.sleep = sleep
    }

    /// `ContinuousClock`, `Date()` and `Task.sleep`.
    public static let live = TimeSource(
        instant: { ContinuousClock.now },
        date: { Date() },
        sleep: { try await Task.sleep(for: $0) }
    )

    /// Suspends until `deadline` (at once if it has passed).
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let remaining = deadline - self.instant()
        if remaining > .zero {
            try await self.sleep(remaining)
        } else {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}
