/// The privilege levels of HAProxy's `stats socket` (`level user|operator|admin`), lowest first.
///
/// HAProxy answers only `Permission denied` when a socket's level is too low; knowing which level a command
/// needs lets the error say which line to change in `haproxy.cfg`.
public enum RuntimeAPILevel: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Non-sensitive stats only (`show stat`, `show info`).
    case user
    /// All data can be read (`show sess`, `show table`), `clear counters` (max values).
    case `operator`
    /// Everything, including every change of state (`set server`, `clear counters all`).
    case admin

    public var description: String {
        switch self {
        case .user: "user"
        case .operator: "operator"
        case .admin: "admin"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The lowest level that can run `command`, judged from its first words as HAProxy 2.4 to 3.x define them.
    ///
    /// A read that was refused needs `operator`; anything else that was refused (a change) needs `admin`.
    /// A master CLI prefix (`@1 `, `@!1234 `) is skipped.
    public static func required(for command: String) -> RuntimeAPILevel {
        var words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        if let first = words.first, first.hasPrefix("@") { words.removeFirst() }
        guard let verb = words.first else { return .operator }
        switch verb {
        case "show", "get", "help", "prompt", "quit", "user", "operator":
            return .operator
        case "clear" where words.count >= 2 && words[1] == "counters":
            return words.contains("all") ? .admin : .operator
        default:
            return .admin
        }
    }
}
