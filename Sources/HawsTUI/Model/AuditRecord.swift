#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One line of the audit log (NDJSON): who sent which command to which instance, the state before
/// and after, and the outcome.
public struct AuditRecord: Sendable, Hashable, Codable {
    public var time: Date
    public var user: String
    public var instance: String
    public var object: String
    public var command: String
    public var stateBefore: String?
    public var stateAfter: String?
    /// `took effect`, `sent; not observed`, `failed: ...`.
    public var result: String
    /// `operator`, `auto-maint at zero tunnels`, `drain deadline offer`.
    public var origin: String

    public init(
        time: Date, user: String, instance: String, object: String, command: String, stateBefore: String?,
        stateAfter: String?, result: String, origin: String
    ) {
        self.time = time
        self.user = user
        self.instance = instance
        self.object = object
        self.command = command
        self.stateBefore = stateBefore
        self.stateAfter = stateAfter
        self.result = result
        self.origin = origin
    }

    enum CodingKeys: String, CodingKey {
        case time, user, instance, object, command, result, origin
        case stateBefore = "state_before"
        case stateAfter = "state_after"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(user, forKey: .user)
        try container.encode(instance, forKey: .instance)
        try container.encode(object, forKey: .object)
        try container.encode(command, forKey: .command)
        // Unknown states are written as null rather than left out: every line has every field.
        try container.encode(stateBefore, forKey: .stateBefore)
        try container.encode(stateAfter, forKey: .stateAfter)
        try container.encode(result, forKey: .result)
        try container.encode(origin, forKey: .origin)
    }

    /// The record as one JSON line, without the newline.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(self), let line = String(data: data, encoding: .utf8) else {
            return #"{"result":"audit record could not be encoded"}"#
        }
        return line
    }
}
