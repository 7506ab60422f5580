#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The arithmetic of draining a server to zero tunnels: progress, rate of decrease, ETA, newcomers,
/// and what to do next. Pure: it is fed observations and a clock value, so `haws top` and a headless
/// `haws drain` make the same decisions and tests need no sockets or sleeps.
///
/// A drained server stops getting new load-balanced traffic, but HAProxy still sends it persistent
/// (cookie, stick-table) connections, so tunnels can arrive during a drain: they are counted from the
/// server's cumulative upgrade counter (`hrsp_1xx`), restarting from the new base after a counter reset.
public struct DrainTracker: Sendable, Hashable {
    /// One reading of the drained server.
    public struct Observation: Sendable, Hashable {
        public var time: Date
        /// Tunnels held now (per-server count when available, otherwise the server's sessions).
        public var tunnels: Int
        /// The server's cumulative upgrade counter (`hrsp_1xx`), when known.
        public var upgradesTotal: Int?

        public init(time: Date, tunnels: Int, upgradesTotal: Int? = nil) {
            self.time = time
            self.tunnels = max(0, tunnels)
            self.upgradesTotal = upgradesTotal
        }
    }

    /// What the operator chose when starting the drain.
    public struct Options: Sendable, Hashable {
        /// Switch the server to MAINT once it holds no tunnel.
        public var maintWhenEmpty: Bool
        /// After this long with tunnels left, offer `shutdown sessions server` (never done silently).
        public var deadline: Duration?
        /// The rate of decrease is fitted over the observations of this last window.
        public var rateWindow: Duration

        public init(maintWhenEmpty: Bool = false, deadline: Duration? = nil, rateWindow: Duration = .seconds(60)) {
            self.maintWhenEmpty = maintWhenEmpty
            self.deadline = deadline
            self.rateWindow = rateWindow
        }
    }

    /// The next step a driver (UI or command) should take.
    public enum Step: Sendable, Hashable {
        /// Tunnels remain and the deadline (if any) has not passed.
        case wait
        /// No tunnel left and the operator asked for MAINT at zero: send `set server B/S state maint`.
        case switchToMaint
        /// No tunnel left; nothing more to do.
        case drained
        /// The deadline passed with `remaining` tunnels: ask the operator whether to shut them down.
        case offerShutdown(remaining: Int)
    }

    public let server: ServerKey
    public let options: Options
    /// When the drain began (the command), for the elapsed time and the deadline.
    public let startedAt: Date
    public let tunnelsAtStart: Int
    /// Tunnels that arrived since the drain began (persistent connections); `nil` without a counter.
    public private(set) var arrivedSinceStart: Int?
    /// The latest observation.
    public private(set) var latest: Observation
    /// Set by the driver once it has sent the MAINT command, so it is sent once.
    public private(set) var maintRequested = false
    /// Set by the driver once it has offered the shutdown, so it is offered once.
    public private(set) var shutdownOffered = false
    /// Recent observations (within ``Options/rateWindow``), oldest first.
    public private(set) var recent: [Observation]
    private var lastUpgrades: Int?

    /// - Parameters:
    ///   - start: the first reading of the drain.
    ///   - upgradesBaseline: the upgrade counter when the drain command was sent, when `start` was
    ///     read a little later (tunnels are counted every few seconds): arrivals count from it.
    ///   - began: when the drain command was sent, if before `start`: elapsed time and the
    ///     deadline count from it.
    public init(
        server: ServerKey, start: Observation, options: Options = Options(), upgradesBaseline: Int? = nil,
        began: Date? = nil
    ) {
        self.server = server
        self.options = options
        self.startedAt = min(began ?? start.time, start.time)
        self.tunnelsAtStart = start.tunnels
        self.latest = start
        self.recent = [start]
        self.lastUpgrades = start.upgradesTotal
        if let total = start.upgradesTotal {
            let base = upgradesBaseline ?? total
            self.arrivedSinceStart = total >= base ? total - base : total
        } else {
            self.arrivedSinceStart = nil
        }
    }

    /// Tunnels held now.
    public var tunnels: Int { latest.tunnels }

    /// Tunnels gone since the start (never negative: newcomers can outnumber departures).
    public var closedSinceStart: Int { max(0, tunnelsAtStart - latest.tunnels) }

    /// Records a reading. Readings older than the latest are ignored (a slow poll finishing late).
    public mutating func observe(_ observation: Observation) {
        guard observation.time > latest.time else { return }
        if let total = observation.upgradesTotal {
            if let previous = lastUpgrades {
                // A counter that went down was reset (reload, clear counters): count from the new base.
                let arrived = total >= previous ? total - previous : total
                arrivedSinceStart = (arrivedSinceStart ?? 0) + arrived
            }
            lastUpgrades = total
        }
        latest = observation
        recent.append(observation)
        let horizon = observation.time.addingTimeInterval(-options.rateWindow.seconds)
        // Keep at least two points so a slow poll cadence still gives a rate.
        while recent.count > 2, let first = recent.first, first.time < horizon { recent.removeFirst() }
    }

    /// Net tunnels closed per second over the recent window (least-squares slope, sign flipped);
    /// 0 when the count is flat or growing, `nil` until two readings exist.
    public var decreasePerSecond: Double? {
        guard recent.count >= 2 else { return nil }
        let t0 = recent[0].time
        let xs = recent.map { $0.time.timeIntervalSince(t0) }
        let ys = recent.map { Double($0.tunnels) }
        let n = Double(recent.count)
        let meanX = xs.reduce(0, +) / n
        let meanY = ys.reduce(0, +) / n
        var covariance = 0.0
        var variance = 0.0
        for (x, y) in zip(xs, ys) {
            covariance += (x - meanX) * (y - meanY)
            variance += (x - meanX) * (x - meanX)
        }
        guard variance > 0 else { return nil }
        return max(0, -covariance / variance)
    }

    /// Seconds until zero at the current rate: 0 when drained, `nil` when the count is not falling.
    public var etaSeconds: Double? {
        if latest.tunnels == 0 { return 0 }
        guard let rate = decreasePerSecond, rate > 0 else { return nil }
        return Double(latest.tunnels) / rate
    }

    /// Time since the drain began, as of `now`.
    public func elapsed(at now: Date) -> TimeInterval { max(0, now.timeIntervalSince(startedAt)) }

    /// When the shutdown offer is due, if a deadline was set.
    public var deadlineDate: Date? { options.deadline.map { startedAt.addingTimeInterval($0.seconds) } }

    /// The next step as of `now`.
    public func nextStep(at now: Date) -> Step {
        if latest.tunnels == 0 {
            return options.maintWhenEmpty && !maintRequested ? .switchToMaint : .drained
        }
        if let due = deadlineDate, now >= due, !shutdownOffered {
            return .offerShutdown(remaining: latest.tunnels)
        }
        return .wait
    }

    public mutating func markMaintRequested() { maintRequested = true }
    public mutating func markShutdownOffered() { shutdownOffered = true }
}
