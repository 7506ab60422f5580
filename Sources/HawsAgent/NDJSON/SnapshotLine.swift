import Foundation
import HawsCore
import HawsMonitor

/// The NDJSON `snapshot` line: one per instance per stats poll (schema: `Schemas/agent.schema.json`).
///
/// Keys are always present; a value HAProxy did not give, or that cannot be known right now, is `null`,
/// never a made-up 0: `tunnels` of a server is `null` without an operator socket, and a rate is `null`
/// on the first poll and right after a counter reset (reload, restart, `clear counters`), so a consumer
/// never sees a negative or absurd rate. An unreachable instance gives a line with its `error`, `null`
/// figures and no backends: the last good figures are not repeated as if they were current.
public enum SnapshotLine {
    /// Rates are rounded to this many decimals: finer digits are noise at a 1 s cadence.
    static let rateScale = 1_000.0

    /// - Parameters:
    ///   - live: the instance as the engine sees it after the poll.
    ///   - time: when the poll finished.
    ///   - pollDuration: how long the stats poll took, in seconds, when measured.
    public static func encode(_ live: LiveInstance, time: Date, pollDuration: Double?) -> [UInt8] {
        let servers = live.snapshot?.backends.reduce(0) { $0 + $1.servers.count } ?? 0
        var json = JSONLineBuilder(capacity: 4_096 + 560 * servers + 640 * (live.snapshot?.backends.count ?? 0))
        json.beginObject()
        json.field("type", "snapshot")
        json.field("time", RFC3339.string(time))
        json.field("instance", live.name)
        json.field("health", live.health.label)
        let snapshot = isCurrent(live) ? live.snapshot : nil
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
        json.field("tunnel_detail", snapshot.map { $0.serverTunnels != nil ? "per-server" : "per-backend" })
        json.field("tunnel_detail_note", snapshot?.serverTunnelsUnavailable?.description)
        // Per-server tunnels come from a slower poll than the rest of the line: say how fresh they are.
        json.field("tunnels_read_at", snapshot?.serverTunnels == nil ? nil : live.tunnelsReadAt.map(RFC3339.string))
        json.field("tunnels", snapshot?.totalTunnels)
        json.field(
            "old_worker_tunnels", snapshot.flatMap { $0.oldWorkerTunnels == nil ? nil : $0.oldWorkerTunnelTotal })
        json.field("upgrades_per_second", snapshot == nil ? nil : rounded(live.upgradesPerSecond))
        json.key("backends")
        json.beginArray()
        if let snapshot {
            for backend in snapshot.backends {
                encode(backend, of: snapshot, rates: live, into: &json)
            }
        }
        json.endArray()
        json.endObject()
        return json.takeLine()
    }

    /// Whether the instance's snapshot is the result of its last completed poll (not a kept last-good one).
    static func isCurrent(_ live: LiveInstance) -> Bool {
        switch live.health {
        case .reachable, .stale: live.snapshot != nil
        case .waiting, .unreachable: false
        }
    }

    private static func encode(
        _ backend: Backend, of snapshot: InstanceSnapshot, rates live: LiveInstance, into json: inout JSONLineBuilder
    ) {
        json.beginObject()
        json.field("name", backend.name)
        json.field("status", backend.row == nil ? nil : backend.status)
        json.field("sessions", backend.sessions)
        json.field("session_limit", backend.sessionLimit)
        json.field("tunnels", snapshot.tunnels(of: backend))
        let tallies = backend.servers.compactMap { snapshot.tunnels(of: $0.key) }
        let backendTally = snapshot.serverTunnels == nil ? nil : tallies.reduce(TunnelTally(), +)
        json.field("oldest_tunnel_seconds", backendTally?.oldestSeconds)
        encodeAges(backendTally, into: &json)
        json.field("servers_up", backend.servers.filter { $0.status.isAlive && $0.status.admin != .maint }.count)
        json.field("servers_total", backend.servers.count)
        json.field("sessions_total", backend.row == nil ? nil : backend.totalSessions)
        json.field("upgrades_total", backend.servers.reduce(0) { $0 + $1.responses.informational })
        encodeRates(live.backendRates[backend.name], into: &json)
        json.key("servers")
        json.beginArray()
        // Visited in place: copying each `Server` (a dozen reference-counted fields) showed in profiles.
        backend.servers.withUnsafeBufferPointer { servers in
            for index in servers.indices {
                let key = servers[index].key
                encode(servers[index], key: key, of: snapshot, rates: live.serverRates[key], into: &json)
            }
        }
        json.endArray()
        json.endObject()
    }

    private static func encode(
        _ server: borrowing Server, key: ServerKey, of snapshot: InstanceSnapshot, rates: ObjectRates?,
        into json: inout JSONLineBuilder
    ) {
        json.beginObject()
        json.field("name", server.name)
        json.field("status", server.status.raw)
        json.field("admin_state", server.status.admin?.rawValue)
        json.field("oper_state", server.status.operational?.rawValue)
        json.field("weight", server.weight)
        json.field("backup", server.isBackup)
        json.field("sessions", server.sessions)
        json.field("session_limit", server.sessionLimit)
        let tally = snapshot.tunnels(of: key)
        json.field("tunnels", tally?.count)
        json.field("old_worker_tunnels", snapshot.oldWorkerTunnels.map { $0[key]?.count ?? 0 })
        json.field("oldest_tunnel_seconds", tally?.oldestSeconds)
        encodeAges(tally, into: &json)
        json.field("sessions_total", server.totalSessions)
        json.field("upgrades_total", server.responses.informational)
        encodeRates(rates, into: &json)
        json.field("check_status", server.check?.description)
        json.field("check_code", server.checkCode)
        json.field("last_check", server.lastCheck)
        json.endObject()
    }

    /// `tunnel_ages`: how many tunnels are older than a minute, an hour, a day; `null` when not countable.
    private static func encodeAges(_ tally: TunnelTally?, into json: inout JSONLineBuilder) {
        guard let tally else { return json.nullField("tunnel_ages") }
        json.key("tunnel_ages")
        json.beginObject()
        json.field("over_1m", tally.olderThanMinute)
        json.field("over_1h", tally.olderThanHour)
        json.field("over_1d", tally.olderThanDay)
        json.endObject()
    }

    /// `rates`: per-second figures between the last two polls; each `null` after a reset or on the first poll.
    private static func encodeRates(_ rates: ObjectRates?, into json: inout JSONLineBuilder) {
        json.key("rates")
        json.beginObject()
        json.field("sessions_per_second", rounded(rates?.sessions))
        json.field("upgrades_per_second", rounded(rates?.upgrades))
        json.field("bytes_in_per_second", rounded(rates?.bytesIn))
        json.field("bytes_out_per_second", rounded(rates?.bytesOut))
        json.field("errors_per_second", rounded(rates?.errors))
        json.endObject()
    }

    static func rounded(_ value: Double?) -> Double? {
        value.map { ($0 * rateScale).rounded() / rateScale }
    }
}
