/// What the counters of one poll say about a backend's tunnels, before any `show sess all`.
///
/// HAProxy has no tunnel counter, but its counters pin tunnels down on every poll:
/// - a server row counts a 101 in `hrsp_1xx` when the response arrives, the BACKEND row only when the stream
///   ends, so `sum(server hrsp_1xx) - backend hrsp_1xx` is the backend's open tunnels;
/// - `scur` counts every session: tunnels plus HTTP requests in flight (and streams waiting in the queue).
///
/// So when a backend's sessions all are tunnels (its `scur` equals its open tunnels), each server's `scur`
/// is exactly its tunnel count; otherwise the `otherSessions` that are not tunnels could sit on any server,
/// which bounds each server's count between `scur - otherSessions` and `scur`. A `show sess all` is needed
/// only to resolve those bounds (and for tunnel ages), never for a backend whose counters are exact.
public struct BackendTunnelBasis: Sendable, Hashable {
    /// Open tunnels of the backend from its counters (never more than its sessions).
    public let tunnels: Int
    /// Sessions of the backend that are not tunnels: HTTP requests in flight, queued streams. `nil` when the
    /// counters contradict each other (more upgrades open than sessions: interim 1xx responses such as
    /// `100 Continue` also count in a server's `hrsp_1xx`), so no server's count follows from them.
    public let otherSessions: Int?
    /// Every session on the backend's servers is a tunnel: each server's `scur` is its tunnel count.
    public let isExact: Bool

    /// The basis of `backend`, or `nil` when its counters cannot give one (no BACKEND row, no `hrsp_1xx`).
    public init?(_ backend: Backend) {
        // Without `scur` (a trimmed CSV) the counters cannot tell tunnels from other sessions.
        guard let derived = TunnelCounter.openTunnels(of: backend), backend.row?.int(.scur) != nil else { return nil }
        var serverSessions = 0
        for server in backend.servers { serverSessions += server.sessions }
        let sessions = backend.sessions
        if derived > sessions {
            tunnels = sessions
            otherSessions = nil
            isExact = sessions == 0
        } else {
            tunnels = derived
            // `show stat` reads each row at its own moment (and yields between rows once its buffer is full), so
            // a request still counted on a server row may have ended before the BACKEND row was read: the
            // servers' own sum then shows more sessions than the backend, and each of those may be a request.
            otherSessions = max(sessions, serverSessions) - derived
            isExact = derived == sessions && serverSessions == sessions
        }
    }

    /// A server's tunnels as far as the counters tell: `lower...upper`.
    public func bounds(of server: Server) -> ClosedRange<Int> {
        let sessions = max(0, server.sessions)
        if isExact { return sessions...sessions }
        let upper = min(sessions, tunnels)
        guard let otherSessions else { return 0...upper }
        let lower = min(upper, max(0, sessions - otherSessions))
        return lower...upper
    }

    /// Whether some server's count is left open by the counters, so a `show sess all` would tell more.
    public var needsSessionDump: Bool {
        !isExact && tunnels > 0
    }
}

/// One server's tunnels in one poll: the bounds the counters allow and the single number haws shows.
public struct TunnelCount: Sendable, Hashable {
    /// The number shown: exact when ``isExact``; otherwise the last `show sess all` count kept within the
    /// bounds (a dump is older than the counters), or the lower bound when no dump has been read.
    public var count: Int
    /// At least this many tunnels are open.
    public var lower: Int
    /// At most this many.
    public var upper: Int
    /// Ages from the last `show sess all` (its own count may be older than ``count``); `nil` before any dump.
    public var ages: TunnelTally?

    public var isExact: Bool { lower == upper }

    public init(count: Int, lower: Int, upper: Int, ages: TunnelTally? = nil) {
        self.count = count
        self.lower = lower
        self.upper = upper
        self.ages = ages
    }

    /// The tally shown for the server: ``count`` with the dump's ages.
    public var tally: TunnelTally {
        var tally = ages ?? TunnelTally()
        tally.count = count
        if count == 0 {
            tally = TunnelTally()
        } else {
            tally.olderThanMinute = min(tally.olderThanMinute, count)
            tally.olderThanHour = min(tally.olderThanHour, count)
            tally.olderThanDay = min(tally.olderThanDay, count)
        }
        return tally
    }

    /// `12`, or `12-15` when only bounds are known: what a table cell shows.
    public var text: String {
        isExact ? String(count) : "\(lower)-\(upper)"
    }
}

/// The number a drain follows for one server (``InstanceSnapshot/drainCount(of:)``).
public struct DrainCount: Sendable, Hashable {
    /// Tunnels, or sessions when ``countsSessions``.
    public var value: Int
    /// No session list and no exact count: the server's sessions stand for its tunnels (never fewer than them).
    public var countsSessions: Bool

    public init(value: Int, countsSessions: Bool) {
        self.value = value
        self.countsSessions = countsSessions
    }
}
