/// Bounded polling, the lab's only way to wait for something to become true.
///
/// Fixed sleeps make tests slow on a fast machine and flaky on a loaded one; a condition polled against a
/// deadline is as fast as the system allows and fails with a clear bound.
enum Polling {
    /// Evaluates `condition` every `interval` until it returns true (then returns true) or `timeout` passes
    /// (then returns false). Throws only `CancellationError` or what `condition` throws.
    /// Runs on the caller's actor, so `condition` may touch actor state.
    static func until(
        timeout: Duration,
        interval: Duration = .milliseconds(25),
        isolation: isolated (any Actor)? = #isolation,
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if try await condition() {
                return true
            }
            if clock.now >= deadline {
                return false
            }
            try await Task.sleep(for: interval)
        }
    }
}
