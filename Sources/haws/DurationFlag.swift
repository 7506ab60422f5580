import ArgumentParser
import HawsClient

/// Duration flags (`--timeout 5s`, `--interval 500ms`) read the same way in every command: a bad
/// value is a usage error naming the flag, which the root command turns into exit 3.
enum DurationFlag {
    static func parse(_ text: String, flag: String, positive: Bool = false) throws -> Duration {
        let value: Duration
        do { value = try DurationParser.parse(text) } catch { throw ValidationError("\(flag): \(error)") }
        if positive, value <= .zero { throw ValidationError("\(flag) must be positive") }
        return value
    }
}
