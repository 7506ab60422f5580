import HawsCore

/// Duration flags (`--timeout 5s`, `--interval 500ms`) read the same way in every command: a bad value is a
/// ``FlagError`` `FLAG: what is wrong; what to write`, which the root command turns into one line and exit 3.
///
/// Zero is refused unless the flag documents what it means (`--drain-deadline 0` = never): a zero timeout or
/// interval would make every request fail at once or spin the poll loop, and the clients below refuse it with a
/// precondition, so it must never reach them.
public enum DurationFlag {
    /// What a zero value means for a flag.
    public enum Zero: Sendable {
        /// A zero (or a duration that rounds to zero) is an error.
        case refused
        /// `0` (bare, or with a unit) is accepted and returned as `.zero`, meaning "never" or "off".
        case meansOff
    }

    public static func parse(_ text: String, flag: String, zero: Zero = .refused) throws(FlagError) -> Duration {
        if zero == .meansOff, text.trimmingWhitespace() == "0" { return .zero }
        let value: Duration
        do { value = try DurationParser.parse(text) } catch { throw FlagError("\(flag): \(error)") }
        if zero == .refused, value <= .zero {
            throw FlagError("\(flag): must be more than 0, e.g. 2s or 500ms, not '\(text)'")
        }
        return value
    }
}
