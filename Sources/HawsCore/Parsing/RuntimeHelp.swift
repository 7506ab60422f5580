/// The commands one HAProxy's runtime API offers at the socket's level, read from its `help` answer.
///
/// Newer HAProxy versions add command forms that older ones do not refuse but misread: HAProxy 2.6 takes
/// `show sess older 60` or `show sess susp` for "show the stream with id 0", which it treats as no id, and answers
/// the short list of every stream. So a form is sent only where `help` lists it (verified on 2.6.12 and 3.0.11).
public struct RuntimeHelp: Sendable, Hashable {
    /// The usage part of each line (`show sess [<id>|all|susp|older <age>]`), in HAProxy's order.
    public let usages: [String]

    /// Parses lines of the form `  <usage>   : <description>`; the heading and anything else are skipped.
    public init(parsing text: String) {
        var usages: [String] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard line.hasPrefix(" "), let separator = line.firstRange(of: " : ") ?? line.firstRange(of: ": ")
            else { continue }
            let usage = line[..<separator.lowerBound].trimmingWhitespace()
            if !usage.isEmpty {
                usages.append(usage)
            }
        }
        self.usages = usages
    }

    /// The usage of `command` (its leading words, such as `show sess`), if the instance offers it.
    public func usage(of command: String) -> String? {
        usages.first { usage in
            guard usage.hasPrefix(command) else { return false }
            let rest = usage.dropFirst(command.count)
            return rest.isEmpty || rest.first == " "
        }
    }

    /// `show sess older <age>` (HAProxy 2.9 and later): the full dump of the streams at least that old only.
    public var hasSessionAgeFilter: Bool { sessionUsageMentions("older") }

    /// `show sess susp` (HAProxy 2.9 and later): the full dump of streams HAProxy finds suspicious only.
    public var hasSuspiciousSessionFilter: Bool { sessionUsageMentions("susp") }

    private func sessionUsageMentions(_ word: String) -> Bool {
        guard let usage = usage(of: "show sess") else { return false }
        return usage.split(whereSeparator: { " []|<>*".contains($0) }).contains { $0 == word }
    }
}
