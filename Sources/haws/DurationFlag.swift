import ArgumentParser
import HawsClient

/// Duration flags (`--timeout 5s`, `--interval 500ms`) read the same way in every command: a bad value is a
/// usage error `FLAG: what is wrong; what to write`, which the root command turns into one line and exit 3.
///
/// Zero is refused unless the flag documents what it means (`--drain-deadline 0` = never): a zero timeout or
/// interval would make every request fail at once or spin the poll loop, and the clients below refuse it with a
/// precondition, so it must never reach them.
enum DurationFlag {
    /// What a zero value means for a flag.
    enum Zero {
        /// A zero (or a duration that rounds to zero) is an error.
        case refused
        /// `0` (bare, or with a unit) is accepted and returned as `.zero`, meaning "never" or "off".
        case meansOff
    }

    static func parse(_ text: String, flag: String, zero: Zero = .refused) throws -> Duration {
        if zero == .meansOff, text.trimmingWhitespace() == "0" { return .zero }
        let value: Duration
        do { value = try DurationParser.parse(text) } catch { throw ValidationError("\(flag): \(error)") }
        if zero == .refused, value <= .zero {
            throw ValidationError("\(flag): must be more than 0, e.g. 2s or 500ms, not '\(text)'")
        }
        return value
    }
}
