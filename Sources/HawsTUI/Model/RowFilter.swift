import Foundation

/// The `/` filter: a regular expression on `backend/server` (or a frontend's name); a leading `!`
/// keeps the rows that do not match. Case-insensitive unless the pattern has an upper-case letter.
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
        let options: NSRegularExpression.Options = pattern.contains(where: \.isUppercase) ? [] : [.caseInsensitive]
        do {
            regex = CompiledRegex(try NSRegularExpression(pattern: pattern, options: options))
        } catch {
            throw Invalid(pattern: pattern, reason: Self.reason(error))
        }
        self.text = text
        self.inverted = inverted
    }

    /// Whether a row named `name` stays visible.
    public func keeps(_ name: String) -> Bool {
        let range = NSRange(name.startIndex..<name.endIndex, in: name)
        let found = regex.expression.firstMatch(in: name, options: [], range: range) != nil
        return found != inverted
    }

    public static func == (a: RowFilter, b: RowFilter) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return text.isEmpty ? "not a valid regular expression" : text
    }
}

/// Holds a compiled expression so the filter can be `Sendable`.
///
/// `@unchecked Sendable` is sound here: the reference is immutable after `init`, and
/// `NSRegularExpression` is documented as immutable and safe to use from several threads at once
/// ("NSRegularExpression is ... thread safe"); matching creates no shared mutable state.
final class CompiledRegex: @unchecked Sendable {
    let expression: NSRegularExpression
    init(_ expression: NSRegularExpression) { self.expression = expression }
}
