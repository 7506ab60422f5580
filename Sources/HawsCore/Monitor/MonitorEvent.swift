#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Something that happened, for the event log of `haws top` and the agent's NDJSON `event` lines.
public struct MonitorEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case serverState = "server_state"
        case checkStatus = "check_status"
        case reload
        case instanceUnreachable = "instance_unreachable"
        case instanceRecovered = "instance_recovered"
        case probeFailure = "probe_failure"
        case probeRecovered = "probe_recovered"
        case operatorAction = "operator_action"
        case serverAdded = "server_added"
        case serverRemoved = "server_removed"
    }

    public var time: Date
    public var instance: String
    /// `backend/server`, a backend, or the instance name.
    public var object: String
    public var kind: Kind
    public var before: String?
    public var after: String?
    public var detail: String?

    public init(time: Date, instance: String, object: String, kind: Kind, before: String? = nil, after: String? = nil, detail: String? = nil) {
        self.time = time
        self.instance = instance
        self.object = object
        self.kind = kind
        self.before = before
        self.after = after
        self.detail = detail
    }

    /// `ws_chat/s2 UP -> DOWN (L4CON)`.
    public var summary: String {
        var text = "\(object) "
        switch kind {
        case .reload: text += "reloaded"
        case .instanceUnreachable: text += "unreachable"
        case .instanceRecovered: text += "reachable again"
        case .serverAdded: text += "added"
        case .serverRemoved: text += "removed"
        case .probeFailure: text += "probe failing"
        case .probeRecovered: text += "probe passing again"
        case .operatorAction: text += "action"
        case .serverState, .checkStatus: break
        }
        if kind == .serverState || kind == .checkStatus {
            text += "\(kind == .checkStatus ? "check " : "")\(before ?? "-") -> \(after ?? "-")"
        } else if let after {
            text += " as \(after)"
        }
        if let detail { text += " (\(detail))" }
        return text
    }
}

/// Compares two snapshots of the same instance and lists what changed: the event log's source.
public enum SnapshotDiff {
    public static func events(from previous: InstanceSnapshot, to current: InstanceSnapshot, at time: Date) -> [MonitorEvent] {
        var events: [MonitorEvent] = []
        let instance = current.instance
        if let reason = ReloadDetector.reload(from: previous.info, to: current.info) {
            events.append(MonitorEvent(time: time, instance: instance, object: instance, kind: .reload, detail: reason.description))
        }
        // HAProxy lists proxies and servers in configuration order, so between two polls the same position
        // almost always holds the same server: compare by position, and fall back to a lookup by name only
        // where the layout changed (a reload with a new configuration). At 10,000 servers, building the
        // by-name table on every poll cost an eighth of the engine's time.
        var byKey: [ServerKey: Server]?
        func lookup(_ key: ServerKey) -> Server? {
            if byKey == nil {
                var table: [ServerKey: Server] = [:]
                for backend in previous.backends { for server in backend.servers { table[server.key] = server } }
                byKey = table
            }
            return byKey?[key]
        }
        let previousCount = previous.backends.reduce(0) { $0 + $1.servers.count }
        var matched = 0
        var matchedByPosition = true
        for (backendIndex, backend) in current.backends.enumerated() {
            let oldBackend = backendIndex < previous.backends.count && previous.backends[backendIndex].name == backend.name
                ? previous.backends[backendIndex] : nil
            for (serverIndex, server) in backend.servers.enumerated() {
                let old: Server?
                if let oldBackend, serverIndex < oldBackend.servers.count, oldBackend.servers[serverIndex].name == server.name {
                    old = oldBackend.servers[serverIndex]
                } else {
                    matchedByPosition = false
                    old = lookup(server.key)
                }
                guard let old else {
                    if previousCount > 0 {
                        events.append(MonitorEvent(time: time, instance: instance, object: server.key.description, kind: .serverAdded, after: server.status.raw))
                    }
                    continue
                }
                matched += 1
                if old.status.admin != server.status.admin || old.status.operational != server.status.operational {
                    events.append(
                        MonitorEvent(
                            time: time, instance: instance, object: server.key.description, kind: .serverState,
                            before: old.status.raw, after: server.status.raw,
                            detail: server.status.isDown ? [server.check?.code, server.lastCheck].compactMap { $0 }.joined(separator: " ") : nil))
                } else if old.check?.outcome != server.check?.outcome, let code = server.check?.code,
                    server.check?.outcome == .failed || old.check?.outcome == .failed
                {
                    events.append(
                        MonitorEvent(
                            time: time, instance: instance, object: server.key.description, kind: .checkStatus,
                            before: old.check?.code, after: code, detail: server.lastCheck))
                }
            }
        }
        if !(matchedByPosition && matched == previousCount) {
            var seen = Set<ServerKey>()
            for backend in current.backends { for server in backend.servers { seen.insert(server.key) } }
            var removed: [ServerKey] = []
            for backend in previous.backends { for server in backend.servers where !seen.contains(server.key) { removed.append(server.key) } }
            for key in removed.sorted() {
                events.append(MonitorEvent(time: time, instance: instance, object: key.description, kind: .serverRemoved))
            }
        }
        return events
    }
}
