import HawsCore

/// What an operator can do to servers from the dashboard.
public enum ServerActionKind: Sendable, Hashable {
    case drain
    case ready
    case maint
    case weight(Int)
    case shutdownSessions

    /// The key that starts it, for messages.
    public var key: Character {
        switch self {
        case .drain: "d"
        case .ready: "r"
        case .maint: "m"
        case .weight: "w"
        case .shutdownSessions: "K"
        }
    }

    /// Lower-case verb phrase: "drain", "set weight 50 on".
    public var verb: String {
        switch self {
        case .drain: "drain"
        case .ready: "set ready"
        case .maint: "put in maintenance"
        case .weight(let value): "set weight \(value) on"
        case .shutdownSessions: "shut down the sessions of"
        }
    }

    /// The command for one validated server.
    func command(for server: ServerReference) throws(InvalidWeight) -> RuntimeCommand {
        switch self {
        case .drain: .setState(server, .drain)
        case .ready: .setState(server, .ready)
        case .maint: .setState(server, .maint)
        case .weight(let value): try .setWeight(server, value)
        case .shutdownSessions: .shutdownSessions(server)
        }
    }
}

/// The part of a server's state an action changes, as seen in one snapshot.
public struct ServerSummary: Sendable, Hashable {
    public var status: String
    public var admin: AdminState?
    public var weight: Int
    public var userWeight: Int?
    public var sessions: Int
    public var tunnels: Int?

    public init(status: String, admin: AdminState?, weight: Int, userWeight: Int? = nil, sessions: Int, tunnels: Int?) {
        self.status = status
        self.admin = admin
        self.weight = weight
        self.userWeight = userWeight
        self.sessions = sessions
        self.tunnels = tunnels
    }

    init(_ server: Server, tunnels: Int?) {
        self.init(
            status: server.status.raw, admin: server.status.admin, weight: server.weight, userWeight: server.userWeight,
            sessions: server.sessions, tunnels: tunnels)
    }

    /// How the audit log and the result message describe this state for `kind`.
    func describe(for kind: ServerActionKind) -> String {
        switch kind {
        case .drain, .ready, .maint: status
        case .weight: "weight \(userWeight ?? weight)"
        case .shutdownSessions: "\(sessions) sessions" + (tunnels.map { ", \($0) tunnels" } ?? "")
        }
    }

    /// Whether this state shows `kind` done.
    func shows(_ kind: ServerActionKind, before: ServerSummary) -> Bool {
        switch kind {
        case .drain: admin == .drain
        case .ready: admin == .ready
        case .maint: admin == .maint
        case .weight(let value): (userWeight ?? weight) == value
        case .shutdownSessions:
            sessions == 0 || sessions < before.sessions || (tunnels ?? .max) < (before.tunnels ?? .max)
        }
    }
}

/// One command of an action, on one server.
public struct ActionItem: Sendable, Hashable {
    public var target: ServerID
    public var command: RuntimeCommand
    public var before: ServerSummary
}

/// Why an action was started: by the operator, or by an option the operator confirmed earlier.
public enum ActionOrigin: String, Sendable, Hashable {
    case operatorKey = "operator"
    /// The drain reached zero tunnels and the operator had asked for MAINT then.
    case maintAtZero = "auto-maint at zero tunnels"
    /// The drain deadline passed and the operator accepted the offer to shut sessions down.
    case drainDeadline = "drain deadline offer"
}

/// Commands confirmed together and sent off the UI loop.
public struct ActionBatch: Sendable, Hashable {
    public var id: Int
    public var kind: ServerActionKind
    public var items: [ActionItem]
    public var origin: ActionOrigin
    /// For a drain: what to do as it progresses.
    public var drainOptions: DrainTracker.Options?
}

/// Why a command did not go through.
public struct ActionFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// HAProxy answered `Permission denied`: the socket's level is below admin.
        case permissionDenied
        /// HAProxy answered with an error text (`No such server.`).
        case rejected
        /// The instance has no runtime socket to send commands to (stats page only).
        case noRuntimeSocket
        /// Connect, timeout or I/O failure.
        case failed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// What an instance's runtime socket lets haws do.
public enum InstanceAccess: Sendable, Hashable {
    /// Not known yet (an older HAProxy without `show cli level`): found out on the first action.
    case unknown
    case level(SocketLevel)
    /// Read through the stats page only.
    case noRuntimeSocket
    /// HAProxy answered `Permission denied` to an action.
    case refused(String)

    /// `false` when actions are known to be refused.
    public var allowsActions: Bool {
        switch self {
        case .unknown: true
        case .level(let level): level >= .admin
        case .noRuntimeSocket, .refused: false
        }
    }

    /// Why actions are refused, for the header and the refusal message.
    public var refusalReason: String? {
        switch self {
        case .unknown: nil
        case .level(let level):
            level >= .admin
                ? nil
                : "its runtime socket is level \(level.rawValue); actions need `level admin` on the `stats socket` line"
        case .noRuntimeSocket:
            "haws has no runtime socket of its worker (--socket) to send commands to; actions need one at level admin"
        case .refused(let message): message
        }
    }
}
