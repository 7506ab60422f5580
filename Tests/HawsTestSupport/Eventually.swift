/// Polls `condition` until it holds or the deadline passes (then one last look): the tests' only way to wait for
/// something to happen, never a fixed sleep. The timeout is a bound on failure, not a measurement, so it is
/// stretched by ``TestDeadline/scale`` (`make sanitize`).
public func eventually(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: TestDeadline.scaled(timeout))
    repeat {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    } while clock.now < deadline
    return try await condition()
}
