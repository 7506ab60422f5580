import Foundation
import HawsCore
import NIOConcurrencyHelpers

/// The clock of timing tests: time moves only when the test advances it or, if `advancesOnSleep`, when the code
/// under test sleeps. Give its ``source`` to the engine or the scheduler.
///
/// Without `advancesOnSleep`, a sleep parks until ``advance(_:)`` (or ``advanceToNextDeadline()``) moves time past
/// its deadline; ``waitForSleepers(_:timeout:)`` lets a test wait until the code under test has parked, so every
/// step is deterministic whatever the machine's load. With it, a sleep moves time by its duration at once: right for
/// one sleeper at a time (the probe scheduler's rounds), wrong for several loops (each would move everyone's time).
public final class ManualClock: Sendable {
    /// The monotonic instant at time zero.
    public let origin = ContinuousClock.now
    /// The wall-clock date at time zero.
    public let epoch: Date
    public let advancesOnSleep: Bool

    private struct Sleeper {
        let id: UInt64
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var offset = Duration.zero
        var slept: [Duration] = []
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    public init(epoch: Date = Date(timeIntervalSince1970: 1_800_000_000), advancesOnSleep: Bool = false) {
        self.epoch = epoch
        self.advancesOnSleep = advancesOnSleep
    }

    /// Time since time zero.
    public var elapsed: Duration { self.state.withLockedValue { $0.offset } }
    /// Every duration slept, in order.
    public var slept: [Duration] { self.state.withLockedValue { $0.slept } }
    /// Sleeps parked now.
    public var sleeping: Int { self.state.withLockedValue { $0.sleepers.count } }
    /// Now, on the wall clock.
    public var date: Date { self.epoch.addingTimeInterval(self.elapsed.seconds) }
    /// Now, on the monotonic clock.
    public var instant: ContinuousClock.Instant { self.origin.advanced(by: self.elapsed) }

    /// This clock as the engine and the scheduler take it.
    public var source: TimeSource {
        TimeSource(instant: { self.instant }, date: { self.date }, sleep: { try await self.sleep($0) })
    }

    /// Moves time forward and wakes the sleeps whose deadline it passed, earliest first.
    public func advance(_ duration: Duration) {
        let woken = self.state.withLockedValue { state in
            state.offset += duration
            return Self.due(&state)
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest parked deadline and wakes what is due then; false if nothing sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        let woken: [Sleeper]? = self.state.withLockedValue { state in
            guard let next = state.sleepers.map(\.deadline).min() else { return nil }
            state.offset = max(state.offset, next)
            return Self.due(&state)
        }
        guard let woken else { return false }
        for sleeper in woken { sleeper.continuation.resume() }
        return true
    }

    /// Waits (on the real clock, polling) until at least `count` sleeps are parked; false after `timeout`
    /// (``TestDeadline/scaled(_:)``).
    public func waitForSleepers(_ count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout, interval: .milliseconds(1)) { self.sleeping >= count }
    }

    /// Sleeps `duration` of this clock's time; throws `CancellationError` when the task is cancelled.
    public func sleep(_ duration: Duration) async throws {
        try Task.checkCancellation()
        if self.advancesOnSleep {
            self.state.withLockedValue { $0.slept.append(duration) }
            self.advance(duration)
            await Task.yield()
            return
        }
        let id = self.state.withLockedValue { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool? = self.state.withLockedValue { state in
                    // Checked under the lock the cancellation handler takes too: a cancellation is never missed.
                    if Task.isCancelled { return false }
                    state.slept.append(duration)
                    if duration <= .zero { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: state.offset + duration, continuation: continuation))
                    return nil
                }
                switch resumeNow {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let cancelled = self.state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    private static func due(_ state: inout State) -> [Sleeper] {
        let offset = state.offset
        let woken = state.sleepers.filter { $0.deadline <= offset }.sorted { $0.deadline < $1.deadline }
        state.sleepers.removeAll { $0.deadline <= offset }
        return woken
    }
}
