#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

/// The NDJSON `snapshot` and `changes` lines: one per instance per stats poll (schema: `Schemas/agent.schema.json`).
///
/// A `snapshot` is the whole instance, every backend and server. A `changes` line has the same shape and the same
/// instance-level fields, but its `backends` hold only the servers whose state changed since the previous line (see
/// ``SnapshotSchedule`` for what is a change and when a full snapshot is due instead), and `snapshot_time` names the
/// snapshot it builds on: the latest snapshot plus the changes after it is the current picture of every server.
///
/// Keys are always present; a value HAProxy did not give, or that cannot be known right now, is `null`,
/// never a made-up 0: `tunnels` of a server is `null` without an operator socket, and a rate is `null`
/// on the first poll and right after a counter reset (reload, restart, `clear counters`), so a consumer
/// never sees a negative or absurd rate. An unreachable instance gives a line with its `error`, `null`
/// figures and no backends: the last good figures are not repeated as if they were current.
public enum SnapshotLine {
    /// Rates are rounded to this many decimals: finer digits are noise at a 1 s cadence.
    static let rateScale = 1_000.0

    /// The whole line at once: small lines, and tests. The agent writes ``Parts`` instead, so a full snapshot is never
    /// held whole.
    ///
    /// - Parameters:
    ///   - live: the instance as the engine sees it after the poll.
    ///   - time: when the poll finished.
    ///   - pollDuration: how long the stats poll took, in seconds, when measured.
    ///   - changes: `nil` for a full `snapshot`; else a `changes` line with only these servers.
    ///   - outputBytes: NDJSON bytes the agent wrote before this line, when counted.
    public static func encode(
        _ live: LiveInstance, time: Date, pollDuration: Double?, changes: SnapshotChanges? = nil,
        outputBytes: Int? = nil
    ) -> [UInt8] {
        var parts = Parts(
            live, time: time, pollDuration: pollDuration, changes: changes, outputBytes: outputBytes, partBytes: .max)
        var line: [UInt8] = []
        while let part = parts.next() {
            if line.isEmpty { line = part } else { line += part }
        }
        return line
    }

    /// One line in consecutive parts of about ``partBytes`` each (a server is never split; the last part ends with
    /// the newline), for ``NDJSONOutput/write(parts:estimatedBytes:)``.
    ///
    /// A full snapshot of 10,012 servers is 5.2 MB: built whole, it was the agent's peak resident memory every 5
    /// minutes (its 5.6 MB buffer on top of the steady state). In parts, the line costs one buffer of
    /// ``defaultPartBytes`` however large the instance; the bytes written are the same.
    public struct Parts: IteratorProtocol, Sendable {
        /// 256 KB: a few hundred servers a part, a few dozen `write(2)` calls for 10,000 servers.
        public static let defaultPartBytes = 256 << 10

        private let live: LiveInstance
        private let snapshot: InstanceSnapshot?
        private let changes: SnapshotChanges?
        private let partBytes: Int
        private var json: JSONLineBuilder
        private var header: (time: Date, pollDuration: Double?, outputBytes: Int?)?
        private var backendIndex = 0
        /// Position in the current backend's servers (or its list of changed ones); `nil` before it is begun.
        private var serverPosition: Int?
        private var finished = false
        /// What the line is expected to weigh: for rotation, which must decide before the first part.
        public let estimatedBytes: Int

        public init(
            _ live: LiveInstance, time: Date, pollDuration: Double?, changes: SnapshotChanges? = nil,
            outputBytes: Int? = nil, partBytes: Int = Self.defaultPartBytes
        ) {
            let servers = changes?.serverCount ?? live.snapshot?.backends.reduce(0) { $0 + $1.servers.count } ?? 0
            let backends = changes?.servers.count ?? live.snapshot?.backends.count ?? 0
            self.estimatedBytes = 4_096 + 560 * servers + 640 * backends
            self.live = live
            self.snapshot = SnapshotLine.isCurrent(live) ? live.snapshot : nil
            self.changes = changes
            self.partBytes = max(1, partBytes)
            // Room for one part and the server that ends it.
            let room = self.partBytes.addingReportingOverflow(64 << 10)
            self.json = JSONLineBuilder(capacity: min(self.estimatedBytes, room.overflow ? .max : room.partialValue))
            self.header = (time, pollDuration, outputBytes)
        }

        /// The next part; `nil` after the one that ends the line.
        public mutating func next() -> [UInt8]? {
            guard !finished else { return nil }
            if let header {
                SnapshotLine.encodeHeader(
                    live, snapshot: snapshot, time: header.time, pollDuration: header.pollDuration, changes: changes,
                    outputBytes: header.outputBytes, into: &json)
                self.header = nil
            }
            if let snapshot {
                while backendIndex < snapshot.backends.count {
                    let chosen: [Int]?
                    if let changes {
                        guard let servers = changes.servers[backendIndex] else {
                            backendIndex += 1
                            continue
                        }
                        chosen = servers
                    } else {
                        chosen = nil
                    }
                    if encodeBackend(snapshot.backends[backendIndex], of: snapshot, only: chosen) {
                        return json.takePart()
                    }
                    backendIndex += 1
                    serverPosition = nil
                    if json.pendingBytes >= partBytes { return json.takePart() }
                }
            }
            json.endArray()
            json.endObject()
            finished = true
            return json.takeLine()
        }

        /// Writes the backend from where the last part stopped; true when a part is full before its end.
        private mutating func encodeBackend(_ backend: Backend, of snapshot: InstanceSnapshot, only: [Int]?) -> Bool {
            if serverPosition == nil {
                SnapshotLine.beginBackend(backend, of: snapshot, rates: live, into: &json)
                serverPosition = 0
            }
            var position = serverPosition ?? 0
            let count = only?.count ?? backend.servers.count
            let backendIndex = self.backendIndex
            let partBytes = self.partBytes
            let live = self.live
            // Visited in place: copying each `Server` (a dozen reference-counted fields) showed in profiles.
            let full = backend.servers.withUnsafeBufferPointer { servers in
                while position < count {
                    let index = only?[position] ?? position
                    position += 1
                    guard servers.indices.contains(index) else { continue }
                    SnapshotLine.encode(
                        servers[index], key: servers[index].key, of: snapshot,
                        rates: live.serverRates[backend: backendIndex, server: index], into: &json)
                    if json.pendingBytes >= partBytes { return true }
                }
                return false
            }
            serverPosition = position
            if full && position < count { return true }
            json.endArray()
            json.endObject()
            return false
        }
    }

    /// The instance's fields, up to the opening of `backends`.
    private static func encodeHeader(
        _ live: LiveInstance, snapshot: InstanceSnapshot?, time: Date, pollDuration: Double?,
        changes: SnapshotChanges?, outputBytes: Int?, into json: inout JSONLineBuilder
    ) {
        json.beginObject()
        json.field("type", changes == nil ? "snapshot" : "changes")
        json.field("time", RFC3339.string(time))
        if let changes {
            json.field("snapshot_time", RFC3339.string(changes.snapshotTime))
        }
        json.field("instance", live.name)
        json.field("health", live.health.label)
        json.field("error", snapshot == nil ? (live.lastError ?? "no poll has succeeded yet") : nil)
        let info = snapshot?.info
        json.field("pid", info?.pid)
        json.field("version", info?.version)
        json.field("node", info?.node)
        json.field("uptime_seconds", info?.uptimeSeconds)
        json.field("current_connections", info?.currentConnections)
        json.field("max_connections", info?.maxConnections)
        json.field("stopping", info?.isStopping)
        json.field("poll_duration_seconds", pollDuration.map { ($0 * 1_000_000).rounded() / 1_000_000 })
        json.field("tunnel_detail", snapshot?.tunnelDetail)
        json.field("tunnel_detail_note", snapshot?.serverTunnelsUnavailable?.description)
        // Per-server tunnels come from a slower poll than the rest of the line: say how fresh they are.
        json.field("tunnels_read_at", snapshot?.serverTunnels == nil ? nil : live.tunnelsReadAt.map(RFC3339.string))
        json.field("tunnels", snapshot?.totalTunnels)
        json.field(
            "old_worker_tunnels", snapshot.flatMap { $0.oldWorkerTunnels == nil ? nil : $0.oldWorkerTunnelTotal })
        json.field(
            "old_worker_tunnels_partial",
            snapshot.flatMap { $0.oldWorkerTunnels == nil ? nil : $0.oldWorkerTunnelsArePartial })
        json.field("upgrades_per_second", snapshot == nil ? nil : rounded(live.upgradesPerSecond))
        encodeCost(live.cost, into: &json)
        json.field("output_bytes_total", outputBytes)
        json.key("backends")
        json.beginArray()
    }

    /// Whether the instance's snapshot is the result of its last completed poll (not a kept last-good one).
    static func isCurrent(_ live: LiveInstance) -> Bool {
        switch live.health {
        case .reachable, .stale: live.snapshot != nil
        case .waiting, .unreachable: false
        }
    }

    /// Keys of the backend and server objects, rendered once.
    private enum Key {
        static let adminState = JSONKey("admin_state")
        static let backup = JSONKey("backup")
        static let bytesInPerSecond = JSONKey("bytes_in_per_second")
        static let bytesOutPerSecond = JSONKey("bytes_out_per_second")
        static let checkCode = JSONKey("check_code")
        static let checkStatus = JSONKey("check_status")
        static let errorsPerSecond = JSONKey("errors_per_second")
        static let lastCheck = JSONKey("last_check")
        static let name = JSONKey("name")
        static let oldWorkerTunnels = JSONKey("old_worker_tunnels")
        static let oldestTunnelSeconds = JSONKey("oldest_tunnel_seconds")
        static let operState = JSONKey("oper_state")
        static let over1d = JSONKey("over_1d")
        static let over1h = JSONKey("over_1h")
        static let over1m = JSONKey("over_1m")
        static let rates = JSONKey("rates")
        static let servers = JSONKey("servers")
        static let serversTotal = JSONKey("servers_total")
        static let serversUp = JSONKey("servers_up")
        static let sessionLimit = JSONKey("session_limit")
        static let sessions = JSONKey("sessions")
        static let sessionsPerSecond = JSONKey("sessions_per_second")
        static let sessionsTotal = JSONKey("sessions_total")
        static let status = JSONKey("status")
        static let tunnelAges = JSONKey("tunnel_ages")
        static let tunnels = JSONKey("tunnels")
        static let upgradesPerSecond = JSONKey("upgrades_per_second")
        static let upgradesTotal = JSONKey("upgrades_total")
        static let weight = JSONKey("weight")
        static let tunnelsExact = JSONKey("tunnels_exact")
        static let tunnelsLower = JSONKey("tunnels_lower")
        static let tunnelsUpper = JSONKey("tunnels_upper")
    }

    /// A backend's fields, up to the opening of its `servers` (``Parts`` writes them and closes both).
    private static func beginBackend(
        _ backend: Backend, of snapshot: InstanceSnapshot, rates live: LiveInstance, into json: inout JSONLineBuilder
    ) {
        json.beginObject()
        json.field(Key.name, backend.name)
        json.field(Key.status, backend.row == nil ? nil : backend.status)
        json.field(Key.sessions, backend.sessions)
        json.field(Key.sessionLimit, backend.sessionLimit)
        json.field(Key.tunnels, snapshot.tunnels(of: backend))
        let tallies = backend.servers.compactMap { snapshot.tunnels(of: $0) }
        let backendTally = snapshot.serverTunnels == nil ? nil : tallies.reduce(TunnelTally(), +)
        json.field(Key.oldestTunnelSeconds, backendTally?.oldestSeconds)
        encodeAges(backendTally, into: &json)
        json.field(Key.serversUp, backend.servers.filter { $0.status.isAlive && $0.status.admin != .maint }.count)
        json.field(Key.serversTotal, backend.servers.count)
        json.field(Key.sessionsTotal, backend.row == nil ? nil : backend.totalSessions)
        json.field(Key.upgradesTotal, backend.servers.reduce(0) { $0 + $1.responses.informational })
        encodeRates(live.backendRates[backend.name], into: &json)
        json.key(Key.servers)
        json.beginArray()
    }

    private static func encode(
        _ server: borrowing Server, key: ServerKey, of snapshot: InstanceSnapshot, rates: ObjectRates?,
        into json: inout JSONLineBuilder
    ) {
        json.beginObject()
        json.field(Key.name, server.name)
        json.field(Key.status, server.status.raw)
        json.field(Key.adminState, server.status.admin?.rawValue)
        json.field(Key.operState, server.status.operational?.rawValue)
        json.field(Key.weight, server.weight)
        json.field(Key.backup, server.isBackup)
        json.field(Key.sessions, server.sessions)
        json.field(Key.sessionLimit, server.sessionLimit)
        let count = snapshot.tunnelCount(of: server)
        // Ages come only from a dump: before one, a count from the counters has no ages (null, not zeros).
        let tally = count.flatMap { $0.ages == nil ? nil : $0.tally }
        json.field(Key.tunnels, count?.count)
        json.field(Key.tunnelsExact, count?.isExact)
        json.field(Key.tunnelsLower, count?.lower)
        json.field(Key.tunnelsUpper, count?.upper)
        json.field(Key.oldWorkerTunnels, snapshot.oldWorkerTunnels.map { $0[key]?.count ?? 0 })
        json.field(Key.oldestTunnelSeconds, tally?.oldestSeconds)
        encodeAges(tally, into: &json)
        json.field(Key.sessionsTotal, server.totalSessions)
        json.field(Key.upgradesTotal, server.responses.informational)
        encodeRates(rates, into: &json)
        json.field(Key.checkStatus, server.check?.description)
        json.field(Key.checkCode, server.checkCode)
        json.field(Key.lastCheck, server.lastCheck)
        json.endObject()
    }

    /// `tunnel_ages`: how many tunnels are older than a minute, an hour, a day; `null` when not countable.
    private static func encodeAges(_ tally: TunnelTally?, into json: inout JSONLineBuilder) {
        guard let tally else { return json.nullField(Key.tunnelAges) }
        json.key(Key.tunnelAges)
        json.beginObject()
        json.field(Key.over1m, tally.olderThanMinute)
        json.field(Key.over1h, tally.olderThanHour)
        json.field(Key.over1d, tally.olderThanDay)
        json.endObject()
    }

    /// `rates`: per-second figures between the last two polls; each `null` after a reset or on the first poll.
    private static func encodeRates(_ rates: ObjectRates?, into json: inout JSONLineBuilder) {
        json.key(Key.rates)
        json.beginObject()
        json.field(Key.sessionsPerSecond, rounded(rates?.sessions))
        json.field(Key.upgradesPerSecond, rounded(rates?.upgrades))
        json.field(Key.bytesInPerSecond, rounded(rates?.bytesIn))
        json.field(Key.bytesOutPerSecond, rounded(rates?.bytesOut))
        json.field(Key.errorsPerSecond, rounded(rates?.errors))
        json.endObject()
    }

    /// `cost`: what watching the instance costs HAProxy and haws (the last poll's commands, the last
    /// `show sess all` round, and the dump interval in force with its reason).
    private static func encodeCost(_ cost: InstanceCost, into json: inout JSONLineBuilder) {
        json.key("cost")
        json.beginObject()
        json.key("commands")
        json.beginArray()
        for command in cost.lastCommands {
            json.beginObject()
            json.field("command", command.command)
            json.field("seconds", (command.seconds * 1_000_000).rounded() / 1_000_000)
            json.field("bytes", command.bytes)
            json.endObject()
        }
        json.endArray()
        json.field("sessions_dump_seconds", cost.lastSessionDump.map { ($0.seconds * 1_000_000).rounded() / 1_000_000 })
        json.field(
            "sessions_dump_haproxy_seconds",
            cost.lastSessionDump.map { ($0.haproxySeconds * 1_000_000).rounded() / 1_000_000 })
        json.field("sessions_dump_bytes", cost.lastSessionDump?.bytes)
        json.field("sessions_dump_streams", cost.lastSessionDump?.streams)
        json.field("sessions_interval_seconds", cost.sessionInterval?.seconds)
        json.field("sessions_interval_reason", cost.sessionIntervalReason?.rawValue)
        json.endObject()
    }

    static func rounded(_ value: Double?) -> Double? {
        value.map { ($0 * rateScale).rounded() / rateScale }
    }
}
