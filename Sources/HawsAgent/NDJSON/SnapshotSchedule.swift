#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

/// The servers a `changes` line carries: server indices per backend index, in HAProxy's order.
public struct SnapshotChanges: Sendable, Hashable {
    /// When the full `snapshot` these changes build on was written.
    public var snapshotTime: Date
    /// Backend index -> indices of its changed servers (a backend whose own state changed is listed, maybe empty).
    public var servers: [Int: [Int]]

    public var serverCount: Int { self.servers.values.reduce(0) { $0 + $1.count } }
}

/// Decides, poll by poll, whether an instance gets a full `snapshot` line or a `changes` line, and which servers the
/// latter carries: what keeps the NDJSON file at 10,000 servers to tens of KB a second instead of 5 MB.
///
/// A full snapshot is written for an instance's first poll, every ``fullInterval`` (5 minutes by default), and
/// whenever a `changes` line could not say what happened: the instance's health changed (unreachable, back), or its
/// set of backends and servers did (a reload with another configuration). Between them a `changes` line per poll
/// keeps the instance's own figures (connections, tunnels, upgrades per second: small) and every server whose
/// *state* changed: status, admin and operational state, weight, backup, check status and code, session limit. Its
/// counters and rates (sessions, tunnels, bytes) are figures, not state: they are in every full snapshot and live in
/// `/metrics`, and writing 10,000 of them a second is what made the file grow by 500 GB a day.
///
/// Pure and per instance; memory is one hash per server.
public struct SnapshotSchedule: Sendable {
    /// Time between two full snapshots; `.zero` writes a full snapshot every poll.
    public let fullInterval: Duration
    private var instances: [String: InstanceMemory] = [:]

    private struct InstanceMemory: Sendable {
        var snapshotTime: Date
        var health: String
        var structure: Int
        var backends: [Int]
        var servers: [[Int]]
    }

    public init(fullInterval: Duration = .seconds(300)) {
        self.fullInterval = fullInterval
    }

    /// `nil` when this poll gets a full snapshot; else the changes to write. Call once per line written.
    public mutating func changes(for live: LiveInstance, at time: Date) -> SnapshotChanges? {
        let snapshot = SnapshotLine.isCurrent(live) ? live.snapshot : nil
        let health = live.health.label
        let structure = snapshot.map(Self.structure) ?? 0
        let backends = snapshot?.backends.map(Self.state) ?? []
        let servers = snapshot?.backends.map { $0.servers.map(Self.state) } ?? []
        let previous = self.instances[live.name]
        let due =
            previous.map { time.timeIntervalSince($0.snapshotTime) >= self.fullInterval.seconds } ?? true
        guard let previous, !due, snapshot != nil, previous.health == health, previous.structure == structure else {
            self.instances[live.name] = InstanceMemory(
                snapshotTime: time, health: health, structure: structure, backends: backends, servers: servers)
            return nil
        }
        var changed: [Int: [Int]] = [:]
        for index in backends.indices {
            let moved = servers[index].indices.filter { servers[index][$0] != previous.servers[index][$0] }
            if !moved.isEmpty || backends[index] != previous.backends[index] {
                changed[index] = moved
            }
        }
        self.instances[live.name] = InstanceMemory(
            snapshotTime: previous.snapshotTime, health: health, structure: structure, backends: backends,
            servers: servers)
        return SnapshotChanges(snapshotTime: previous.snapshotTime, servers: changed)
    }

    /// Forgets instances no longer polled.
    public mutating func keep(only names: Set<String>) {
        self.instances = self.instances.filter { names.contains($0.key) }
    }

    /// Which backends and servers exist, in order: a change means the next line must be a full snapshot.
    private static func structure(_ snapshot: InstanceSnapshot) -> Int {
        var hasher = Hasher()
        for backend in snapshot.backends {
            hasher.combine(backend.name)
            hasher.combine(backend.servers.count)
            for server in backend.servers {
                hasher.combine(server.name)
            }
        }
        return hasher.finalize()
    }

    private static func state(_ backend: Backend) -> Int {
        var hasher = Hasher()
        hasher.combine(backend.row == nil ? nil : backend.status)
        hasher.combine(backend.servers.filter { $0.status.isAlive && $0.status.admin != .maint }.count)
        return hasher.finalize()
    }

    /// The fields of a server that are state rather than figures.
    private static func state(_ server: Server) -> Int {
        var hasher = Hasher()
        hasher.combine(server.status.raw)
        hasher.combine(server.weight)
        hasher.combine(server.isBackup)
        hasher.combine(server.sessionLimit)
        hasher.combine(server.check?.description)
        hasher.combine(server.checkCode)
        hasher.combine(server.lastCheck)
        return hasher.finalize()
    }
}
