import HawsCore
import NIOConcurrencyHelpers

/// The `/` filter: a regular expression on `backend/server` (or a frontend's name); a leading `!`
/// keeps the rows that do not match. Case-insensitive unless the pattern has an upper-case letter.
///
/// Swift's own `Regex` (the syntax of ICU and PCRE for what a name filter needs: classes, anchors,
/// alternation, repetition); `NSRegularExpression` would load Foundation proper with its ICU data.
public struct RowFilter: Sendable, Hashable {
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "bad regex \"\(pattern)\": \(reason)" }
    }

    /// As typed, `!` included.
    public let text: String
    public let inverted: Bool
    private let regex: CompiledRegex

    /// `nil` for an empty pattern (no filter).
    public init?(_ text: String) throws(Invalid) {
        let inverted = text.hasPrefix("!")
        let pattern = inverted ? String(text.dropFirst()) : text
        guard !pattern.isEmpty else { return nil }
        do {
            let regex = try Regex(pattern)
            self.regex = CompiledRegex(pattern.contains(where: \.isUppercase) ? regex : regex.ignoresCase())
        } catch {
            let reason = "\(error)".trimmingWhitespace()
            throw Invalid(pattern: pattern, reason: reason.isEmpty ? "not a valid regular expression" : reason)
        }
        self.text = text
        self.inverted = inverted
    }

    /// Whether a row named `name` stays visible.
    public func keeps(_ name: String) -> Bool {
        regex.matches(name) != inverted
    }

    public static func == (a: RowFilter, b: RowFilter) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// Holds a compiled expression, and its verdict for each name met, so the filter can be `Sendable`.
///
/// Rows are filtered again on every poll while a sort column is active, on the UI loop: at 10,000 servers
/// Swift's `Regex` took 15-25 ms to match every name (`NSRegularExpression`, which haws no longer loads,
/// 6-12 ms). Names rarely change between polls, so each verdict is kept: a lookup per name after the first.
///
/// `@unchecked Sendable` is sound here: `Regex<AnyRegexOutput>` is not `Sendable` only because an output
/// type in general may not be; this one is matched and never mutated after `init`, and the standard library
/// compiles its program once behind an atomic. The verdicts are behind a mutex.
final class CompiledRegex: @unchecked Sendable {
    let expression: Regex<AnyRegexOutput>
    private let verdicts = NIOLockedValueBox<[String: Bool]>([:])
    /// Beyond this many names (a fleet that renames constantly) verdicts are computed, not kept.
    static let maximumKept = 100_000

    init(_ expression: Regex<AnyRegexOutput>) { self.expression = expression }

    func matches(_ name: String) -> Bool {
        if let known = verdicts.withLockedValue({ $0[name] }) { return known }
        let found = (try? expression.firstMatch(in: name)) != nil
        verdicts.withLockedValue { verdicts in
            if verdicts.count < Self.maximumKept { verdicts[name] = found }
        }
        return found
    }
}
