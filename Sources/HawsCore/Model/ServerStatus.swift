/// Administrative state of a server, as set by an operator or an agent.
public enum AdminState: String, Sendable, Hashable, Codable, CaseIterable {
    case ready, drain, maint
}

/// Operational state of a server, as its health checks see it.
public enum OperationalState: String, Sendable, Hashable, Codable, CaseIterable {
    case up
    case down
    case goingUp = "going-up"
    case goingDown = "going-down"
    case nolb
    case noCheck = "no-check"
}

/// HAProxy's `status` cell of a server row, tokenised.
///
/// Matching exact strings is the classic bug (`UP 1/3` is up, `DRAIN (agent)` is drained,
/// `MAINT (via b/s)` is in maintenance): the grammar is `WORD [n/m] [(cause)]`. An unrecognised
/// status is kept raw with no states, so it is never mistaken for DOWN.
public struct ServerStatus: Sendable, Hashable, CustomStringConvertible {
    /// Where a state came from, when HAProxy says.
    public enum Cause: Sendable, Hashable {
        case agent
        case resolution
        /// Tracked server whose state this one follows (`MAINT (via px/srv)`).
        case via(backend: String, server: String)
        case other(String)
    }

    /// `n/m` in `UP 1/3` or `DOWN 2/3`: consecutive check results towards the next transition.
    public struct CheckCounter: Sendable, Hashable {
        public let current: Int
        public let total: Int
    }

    public let raw: String
    public let admin: AdminState?
    public let operational: OperationalState?
    public let counter: CheckCounter?
    public let cause: Cause?

    public var description: String { raw }

    /// True when the server is expected to take new traffic (HAProxy's UP/NOLB/no-check, admin ready).
    public var takesNewTraffic: Bool {
        admin == .ready && (operational == .up || operational == .goingDown || operational == .noCheck)
    }

    /// True when checks see the server alive, whatever its admin state (a DRAIN server is alive).
    public var isAlive: Bool {
        switch operational {
        case .up?, .goingDown?, .nolb?, .noCheck?: return true
        default: return false
        }
    }

    /// True when the checks say the server is down while an operator has not put it in maintenance.
    public var isDown: Bool { admin != .maint && (operational == .down || operational == .goingUp) }

    public init(_ raw: String) {
        self.raw = raw
        var rest = Substring(raw).trimmingSpaces()
        var cause: Cause?
        if rest.hasSuffix(")"), let open = rest.lastIndex(of: "(") {
            let inner = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
            cause = Self.cause(String(inner))
            rest = rest[..<open].trimmingSpaces()
        }
        var counter: CheckCounter?
        let words = rest.split(separator: " ", omittingEmptySubsequences: true)
        if words.count >= 2, let slash = words.last!.firstIndex(of: "/"),
            let current = Int(words.last![..<slash]),
            let total = Int(words.last![words.last!.index(after: slash)...])
        {
            counter = CheckCounter(current: current, total: total)
        }
        let word = words.first.map { $0.uppercased() } ?? ""
        let isNoCheck = rest.lowercased() == "no check"
        var admin: AdminState?
        var operational: OperationalState?
        switch word {
        case "UP":
            admin = .ready
            operational = counter == nil ? .up : .goingDown
        case "DOWN":
            admin = .ready
            operational = counter == nil ? .down : .goingUp
        case "NOLB":
            admin = .ready
            operational = counter == nil ? .nolb : .goingDown
        case "DRAIN":
            admin = .drain
            operational = counter == nil ? .up : .goingDown
        case "MAINT":
            admin = .maint
            operational = .down
        case _ where isNoCheck:
            admin = .ready
            operational = .noCheck
        default:
            break
        }
        self.admin = admin
        self.operational = operational
        self.counter = counter
        self.cause = admin == nil ? nil : cause
    }

    private static func cause(_ text: String) -> Cause {
        switch text {
        case "agent": return .agent
        case "resolution": return .resolution
        default:
            if text.hasPrefix("via ") {
                let target = text.dropFirst(4)
                if let slash = target.firstIndex(of: "/") {
                    return .via(backend: String(target[..<slash]), server: String(target[target.index(after: slash)...]))
                }
            }
            return .other(text)
        }
    }
}

/// HAProxy's `check_status` cell, e.g. `L7OK`, or `* L7OK` while a check is running.
public struct CheckStatus: Sendable, Hashable, CustomStringConvertible {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case passed, failed, initializing, unknown
    }

    /// The code without the in-progress marker (`L7OK`, `L4CON`, `L7TOUT`, ...).
    public let code: String
    /// HAProxy prefixes `* ` while a check is in progress.
    public let inProgress: Bool

    public init?(_ raw: String) {
        var text = Substring(raw).trimmingSpaces()
        var inProgress = false
        if text.hasPrefix("*") {
            inProgress = true
            text = text.dropFirst().trimmingSpaces()
        }
        guard !text.isEmpty else { return nil }
        self.code = String(text)
        self.inProgress = inProgress
    }

    public var outcome: Outcome {
        switch code {
        case "L4OK", "L6OK", "L7OK", "L7OKC": return .passed
        case "INI": return .initializing
        case "UNK": return .unknown
        case "L4TOUT", "L4CON", "L6TOUT", "L6RSP", "L7TOUT", "L7RSP", "L7STS", "SOCKERR": return .failed
        default: return code.hasSuffix("OK") ? .passed : .unknown
        }
    }

    public var description: String { inProgress ? "* \(code)" : code }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice.removeLast() }
        return slice
    }
}
