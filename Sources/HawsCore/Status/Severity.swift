/// Nagios-compatible severities; the raw value is the plugin exit code.
public enum Severity: Int, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case warning = 1
    case critical = 2
    case unknown = 3

    /// Aggregation order: CRITICAL over WARNING over UNKNOWN over OK, so an unreachable instance does
    /// not hide a real outage on another one, and a lone unreachable instance still says UNKNOWN.
    var rank: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warning: 2
        case .critical: 3
        }
    }

    public static func worst(_ severities: some Sequence<Severity>) -> Severity {
        severities.reduce(.ok) { $1.rank > $0.rank ? $1 : $0 }
    }

    public var exitCode: Int32 { Int32(rawValue) }
    public var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }
    public var description: String { label }

    /// Parses `ok`, `warning`, `critical` (the values of `--down`, `--drain`, `--maint`).
    public init?(policyValue: String) {
        switch policyValue.lowercased() {
        case "ok": self = .ok
        case "warning", "warn": self = .warning
        case "critical", "crit": self = .critical
        default: return nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(label.lowercased())
    }
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Severity(policyValue: text) ?? (text == "unknown" ? .unknown : nil) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad severity \(text)"))
        }
        self = value
    }
}

/// One thing `haws status` reports: an object, what is wrong or notable, and how bad it is.
public struct Finding: Sendable, Hashable, Codable {
    public var severity: Severity
    public var instance: String
    /// `backend/server`, a backend or frontend name, or the instance itself.
    public var object: String
    public var message: String

    public init(severity: Severity, instance: String, object: String, message: String) {
        self.severity = severity
        self.instance = instance
        self.object = object
        self.message = message
    }

    /// One human line: `WARNING ws_chat/s2: DOWN (L4CON, Connection refused)`.
    public func line(showInstance: Bool) -> String {
        let where_ = showInstance ? "\(instance) \(object)" : object
        return "\(severity.label) \(where_): \(message)"
    }
}
