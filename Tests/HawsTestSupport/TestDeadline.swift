import Foundation

/// How much longer than written the tests' own waits may last: `HAWS_TEST_DEADLINE_SCALE` (a number of at least 1,
/// default 1), which `make sanitize` sets because haws and the test process run several times slower under
/// ThreadSanitizer or AddressSanitizer, more so on a loaded machine at nice 10.
///
/// It stretches only how long a test waits for something to happen (``eventually(timeout:interval:_:)`` and the
/// waits built on it, a child's exit): a bound on failure, so a passing test is unchanged and a failing one still
/// fails, later. It never touches an interval, timeout or limit given to haws, nor a bound a test asserts haws meets:
/// those keep their meaning, and a test that measures one, which a sanitizer invalidates, is excluded there instead
/// (the Makefile's `sanitize` target names it and says why).
public enum TestDeadline {
    public static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["HAWS_TEST_DEADLINE_SCALE"], !text.isEmpty else {
            return 1
        }
        guard let value = Double(text), value.isFinite, value >= 1 else {
            preconditionFailure("HAWS_TEST_DEADLINE_SCALE: '\(text)' is not a number of at least 1")
        }
        return value
    }()

    /// `timeout` stretched by ``scale``.
    public static func scaled(_ timeout: Duration) -> Duration {
        scale == 1 ? timeout : timeout * scale
    }
}
