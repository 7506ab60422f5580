/// A runtime API command, built only from validated parts.
///
/// The read commands haws polls with, and the server actions of `haws top` and `haws drain`. The
/// `text` of a command never contains `;` or a newline.
public struct RuntimeCommand: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    /// The socket level HAProxy requires: used to explain a `Permission denied`.
    public let requiredLevel: SocketLevel

    private init(_ text: String, level: SocketLevel) {
        self.text = text
        self.requiredLevel = level
    }

    public var description: String { text }

    public static let showInfo = RuntimeCommand("show info", level: .user)
    public static let showStat = RuntimeCommand("show stat", level: .user)
    public static let showServersState = RuntimeCommand("show servers state", level: .user)
    public static let showSessAll = RuntimeCommand("show sess all", level: .operator)
    public static let showProc = RuntimeCommand("show proc", level: .master)

    public enum ServerState: String, Sendable, Hashable, CaseIterable { case ready, drain, maint }

    public static func setState(_ server: ServerReference, _ state: ServerState) -> RuntimeCommand {
        RuntimeCommand("set server \(server) state \(state.rawValue)", level: .admin)
    }

    /// `weight` is 0...256 as HAProxy accepts.
    public static func setWeight(_ server: ServerReference, _ weight: Int) throws(InvalidWeight) -> RuntimeCommand {
        guard (0...256).contains(weight) else { throw InvalidWeight(value: weight) }
        return RuntimeCommand("set server \(server) weight \(weight)", level: .admin)
    }

    public static func shutdownSessions(_ server: ServerReference) -> RuntimeCommand {
        RuntimeCommand("shutdown sessions server \(server)", level: .admin)
    }

    /// Runs `command` on one worker through the master CLI (`@!<pid>`), e.g. an old worker that still
    /// holds tunnels after a reload.
    public static func onWorker(pid: Int, _ command: RuntimeCommand) -> RuntimeCommand {
        RuntimeCommand("@!\(pid) \(command.text)", level: command.requiredLevel)
    }
}

public struct InvalidWeight: Error, Hashable, CustomStringConvertible {
    public let value: Int
    public var description: String { "weight \(value) is out of range: HAProxy accepts 0 to 256" }
}

/// Runtime API privilege levels, lowest first.
public enum SocketLevel: String, Sendable, Hashable, Comparable, Codable {
    case user, `operator`, admin, master

    private var rank: Int {
        switch self {
        case .user: 0
        case .operator: 1
        case .admin: 2
        case .master: 3
        }
    }

    public static func < (lhs: SocketLevel, rhs: SocketLevel) -> Bool { lhs.rank < rhs.rank }
}
