/// Every column a view may show. A view file names them by ``rawValue``.
///
/// Each column knows its default title, width and alignment (so a view file may give only `id`),
/// which kind of view it belongs to, and whether it can be sorted on.
public enum ColumnID: String, Sendable, Hashable, CaseIterable {
    // Servers (and their backends)
    case name
    case state
    case check
    case weight
    case sessions
    case limit
    case tunnels
    case upgrades
    case tunnelAge = "tunnel_age"
    case probe
    case handshakeP95 = "handshake_p95"
    case requestRate = "req_rate"
    case sessionRate = "sess_rate"
    case errors
    case errorRate = "err_rate"
    case queue
    case inRate = "in_rate"
    case outRate = "out_rate"
    case address
    case lastChange = "last_change"
    case drain
    case sparkTunnels = "spark_tunnels"
    case sparkUpgrades = "spark_upgrades"
    // Frontends only
    case denied
    case mode

    public struct Defaults: Sendable, Hashable {
        public let title: String
        public let width: Int
        public let alignment: Alignment
    }

    public var defaults: Defaults {
        switch self {
        case .name: Defaults(title: "NAME", width: 22, alignment: .left)
        case .state: Defaults(title: "STATE", width: 8, alignment: .left)
        case .check: Defaults(title: "CHECK", width: 7, alignment: .left)
        case .weight: Defaults(title: "WGHT", width: 4, alignment: .right)
        case .sessions: Defaults(title: "SESS", width: 6, alignment: .right)
        case .limit: Defaults(title: "LIMIT", width: 6, alignment: .right)
        case .tunnels: Defaults(title: "TUNNELS", width: 7, alignment: .right)
        case .upgrades: Defaults(title: "UPG/s", width: 6, alignment: .right)
        case .tunnelAge: Defaults(title: "OLDEST", width: 6, alignment: .right)
        case .probe: Defaults(title: "PROBE", width: 6, alignment: .left)
        case .handshakeP95: Defaults(title: "HS p95", width: 7, alignment: .right)
        case .requestRate: Defaults(title: "REQ/s", width: 6, alignment: .right)
        case .sessionRate: Defaults(title: "SES/s", width: 6, alignment: .right)
        case .errors: Defaults(title: "ERR", width: 6, alignment: .right)
        case .errorRate: Defaults(title: "ERR/s", width: 6, alignment: .right)
        case .queue: Defaults(title: "QUEUE", width: 5, alignment: .right)
        case .inRate: Defaults(title: "IN/s", width: 6, alignment: .right)
        case .outRate: Defaults(title: "OUT/s", width: 6, alignment: .right)
        case .address: Defaults(title: "ADDRESS", width: 21, alignment: .left)
        case .lastChange: Defaults(title: "CHANGED", width: 7, alignment: .right)
        case .drain: Defaults(title: "DRAIN", width: 22, alignment: .left)
        case .sparkTunnels: Defaults(title: "TUNNELS (history)", width: 12, alignment: .left)
        case .sparkUpgrades: Defaults(title: "UPGRADES/s (history)", width: 12, alignment: .left)
        case .denied: Defaults(title: "DENIED", width: 6, alignment: .right)
        case .mode: Defaults(title: "MODE", width: 5, alignment: .left)
        }
    }

    /// The kinds of view this column makes sense in.
    public var kinds: Set<ViewKind> {
        switch self {
        case .name, .state, .sessions, .limit, .requestRate, .sessionRate, .errors, .errorRate, .inRate, .outRate,
            .probe, .handshakeP95:
            [.servers, .frontends]
        case .denied, .mode:
            [.frontends]
        default:
            [.servers]
        }
    }

    /// Sparklines and the drain progress are not orderable.
    public var isSortable: Bool {
        switch self {
        case .sparkTunnels, .sparkUpgrades, .drain: false
        default: true
        }
    }

    /// Numbers read best largest first; names and states alphabetically.
    public var prefersDescending: Bool {
        switch self {
        case .name, .state, .check, .probe, .address, .mode: false
        default: true
        }
    }
}
