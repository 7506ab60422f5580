/// How many WebSocket tunnels one server (or backend) holds, and how old they are.
public struct TunnelTally: Sendable, Hashable, Codable {
    public var count: Int
    public var oldestSeconds: Int?
    public var olderThanMinute: Int
    public var olderThanHour: Int
    public var olderThanDay: Int

    public init(count: Int = 0, oldestSeconds: Int? = nil, olderThanMinute: Int = 0, olderThanHour: Int = 0, olderThanDay: Int = 0) {
        self.count = count
        self.oldestSeconds = oldestSeconds
        self.olderThanMinute = olderThanMinute
        self.olderThanHour = olderThanHour
        self.olderThanDay = olderThanDay
    }

    public mutating func add(ageSeconds: Int?) {
        count += 1
        guard let age = ageSeconds else { return }
        oldestSeconds = max(oldestSeconds ?? 0, age)
        if age >= 60 { olderThanMinute += 1 }
        if age >= 3_600 { olderThanHour += 1 }
        if age >= 86_400 { olderThanDay += 1 }
    }

    public static func + (lhs: TunnelTally, rhs: TunnelTally) -> TunnelTally {
        TunnelTally(
            count: lhs.count + rhs.count,
            oldestSeconds: [lhs.oldestSeconds, rhs.oldestSeconds].compactMap { $0 }.max(),
            olderThanMinute: lhs.olderThanMinute + rhs.olderThanMinute,
            olderThanHour: lhs.olderThanHour + rhs.olderThanHour,
            olderThanDay: lhs.olderThanDay + rhs.olderThanDay)
    }
}

/// Derives tunnel counts: HAProxy has no tunnel counter.
public enum TunnelCounter {
    /// Open tunnels of a backend from counters, at any socket level or from the stats page alone.
    ///
    /// A server row counts a 101 in `hrsp_1xx` when the response arrives; the BACKEND row counts it
    /// only when the stream ends, so the difference is what is open now. Exact unless servers send
    /// interim 100/103 responses; both counters reset together on reload. Never negative.
    public static func openTunnels(of backend: Backend) -> Int? {
        guard backend.hasStatsRow, backend.counters.upgrades != nil else { return nil }
        let servers = backend.servers.reduce(0) { $0 + $1.responses.informational }
        return max(0, servers - backend.responses.informational)
    }

    /// Exact tunnels per server from `show sess all`: streams with `status=101` and
    /// `req.st=MSG_TUNNEL`, grouped by the `backend=`/`server=` lines.
    public static func perServer(_ streams: [StreamRecord]) -> [ServerKey: TunnelTally] {
        var tallies: [ServerKey: TunnelTally] = [:]
        for stream in streams where stream.isTunnel {
            guard let key = stream.serverKey else { continue }
            tallies[key, default: TunnelTally()].add(ageSeconds: stream.ageSeconds)
        }
        return tallies
    }
}
