import Foundation

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
        var before: [ServerKey: Server] = [:]
        for backend in previous.backends { for server in backend.servers { before[server.key] = server } }
        var seen = Set<ServerKey>()
        for backend in current.backends {
            for server in backend.servers {
                seen.insert(server.key)
                guard let old = before[server.key] else {
                    if !before.isEmpty {
                        events.append(MonitorEvent(time: time, instance: instance, object: server.key.description, kind: .serverAdded, after: server.status.raw))
                    }
                    continue
                }
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
        for key in before.keys.sorted() where !seen.contains(key) {
            events.append(MonitorEvent(time: time, instance: instance, object: key.description, kind: .serverRemoved))
        }
        return events
    }
}
