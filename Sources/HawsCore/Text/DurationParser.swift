/// Parses the durations people write in flags and config files: `500ms`, `5s`, `2m`, `1h`, `1m30s`, `1.5s`.
///
/// A bare number is refused on purpose: `timeout = 5` is ambiguous (seconds? milliseconds?) and a wrong guess
/// turns a 5 s timeout into a 5 ms one. The same parser serves the CLI flags and the config file so both
/// accept exactly the same spellings.
public enum DurationParser {
    /// The largest duration accepted, so that arithmetic on it (deadlines, backoffs) can never overflow.
    public static let maximum: Duration = .seconds(7 * 24 * 3600)

    /// Parses `text` into a duration.
    ///
    /// - Parameter text: one or more `<number><unit>` groups, units `ms`, `s`, `m`, `h`; decimals allowed.
    /// - Throws: ``DurationParseError`` naming the input and what to write instead.
    public static func parse(_ text: String) throws(DurationParseError) -> Duration {
        let input = text.trimmingWhitespace()
        guard !input.isEmpty else { throw DurationParseError(input: text, problem: .empty) }
        if input.hasPrefix("-") { throw DurationParseError(input: text, problem: .negative) }

        var totalNanoseconds: Double = 0
        var rest = Substring(input)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else {
                throw DurationParseError(input: text, problem: .badNumber)
            }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter || $0 == "µ" }
            guard !unit.isEmpty else { throw DurationParseError(input: text, problem: .missingUnit) }
            rest = rest.dropFirst(unit.count)
            guard let nanosecondsPerUnit = Self.units[String(unit)] else {
                throw DurationParseError(input: text, problem: .unknownUnit(String(unit)))
            }
            totalNanoseconds += value * nanosecondsPerUnit
            guard totalNanoseconds <= Double(Self.maximumNanoseconds) else {
                throw DurationParseError(input: text, problem: .tooLarge)
            }
        }
        return .nanoseconds(Int64(totalNanoseconds.rounded()))
    }

    /// Renders a duration the way ``parse(_:)`` reads it, shortest exact form first: `5s`, `500ms`, `1m30s`.
    ///
    /// Used in error messages ("timed out after 5s"), so it must round-trip and never print `5.0 seconds`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let totalMilliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if totalMilliseconds <= 0 {
            let nanoseconds = attoseconds / 1_000_000_000
            return nanoseconds <= 0 ? "0s" : "\(nanoseconds)ns"
        }
        if totalMilliseconds % 1000 != 0 {
            return "\(totalMilliseconds)ms"
        }
        var remaining = totalMilliseconds / 1000
        var text = ""
        let hours = remaining / 3600
        remaining %= 3600
        let minutes = remaining / 60
        remaining %= 60
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if remaining > 0 || text.isEmpty { text += "\(remaining)s" }
        return text
    }

    private static let maximumNanoseconds: Int64 = 7 * 24 * 3600 * 1_000_000_000

    private static let units: [String: Double] = [
        "ns": 1,
        "us": 1_000,
        "µs": 1_000,
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]
}

/// Why a duration did not parse, with the spelling to use instead.
public struct DurationParseError: Error, Hashable, CustomStringConvertible {
    /// What was wrong, as an open set so new checks do not break callers that switch on known ones.
    public struct Problem: Hashable, Sendable {
        fileprivate enum Code: Hashable, Sendable {
            case empty, negative, badNumber, missingUnit
            case unknownUnit(String)
            case tooLarge
        }
        fileprivate let code: Code
        public static let empty = Problem(code: .empty)
        public static let negative = Problem(code: .negative)
        public static let badNumber = Problem(code: .badNumber)
        public static let missingUnit = Problem(code: .missingUnit)
        public static func unknownUnit(_ unit: String) -> Problem { Problem(code: .unknownUnit(unit)) }
        public static let tooLarge = Problem(code: .tooLarge)
    }

    /// The text as given.
    public let input: String
    public let problem: Problem

    public init(input: String, problem: Problem) {
        self.input = input
        self.problem = problem
    }

    public var description: String {
        let hint = "write a number and a unit (ms, s, m, h), e.g. 500ms, 5s, 2m, 1h"
        switch problem.code {
        case .empty:
            return "empty duration: \(hint)"
        case .negative:
            return "invalid duration '\(input)': it cannot be negative; \(hint)"
        case .badNumber:
            return "invalid duration '\(input)': expected a number; \(hint)"
        case .missingUnit:
            return "invalid duration '\(input)': the unit is missing (is '5' seconds or milliseconds?); \(hint)"
        case .unknownUnit(let unit):
            return "invalid duration '\(input)': unknown unit '\(unit)'; \(hint)"
        case .tooLarge:
            return "invalid duration '\(input)': more than 7 days; use a shorter duration"
        }
    }
}
