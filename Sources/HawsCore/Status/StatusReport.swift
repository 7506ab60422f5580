#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The document `haws status --json` prints; its JSON Schema is `Schemas/status.schema.json`.
///
/// Field names are stable: scripts and alerting depend on them. Numbers HAProxy did not give (a
/// limit not set, tunnels not countable at this socket level) are `null`, never a made-up 0.
public struct StatusReport: Sendable, Codable, Hashable {
    public var schema = "haws.status/1"
    public var generatedAt: String
    public var verdict: Severity
    public var exitCode: Int
    /// One line for humans and Nagios: `HAWS OK - 3 backends, 6 servers up, 25 tunnels`.
    public var summary: String
    /// Every listed finding as one human-readable line, worst first.
    public var problems: [String]
    public var findings: [Finding]
    public var instances: [InstanceEntry]
    public var frontends: [FrontendEntry]
    public var backends: [BackendEntry]
    /// The probe round of `haws status --probe`; `nil` (JSON `null`) without `--probe`.
    public var probes: ProbeSummary? = nil

    /// Counts another check's verdict in this report's (`haws status --doctor`): the worst of the two becomes the
    /// verdict, the exit code and the summary's label, and `note` (e.g. `doctor: 2 warning`) joins the summary.
    public mutating func include(_ other: Severity, note: String) {
        verdict = Severity.worst([verdict, other])
        exitCode = Int(verdict.exitCode)
        let prefix = "HAWS "
        if summary.hasPrefix(prefix), let dash = summary.firstRange(of: " - ") {
            summary = prefix + verdict.label + summary[dash.lowerBound...]
        }
        summary += "; " + note
    }

    public struct InstanceEntry: Sendable, Codable, Hashable {
        public var name: String
        public var reachable: Bool
        public var error: String?
        public var pid: Int?
        public var version: String?
        public var node: String?
        public var uptimeSeconds: Int?
        public var currentConnections: Int?
        public var maxConnections: Int?
        public var stopping: Bool?
        public var tunnels: Int?
        public var oldWorkerTunnels: Int?
        /// `true` when an old worker (or `show proc`) could not be read: ``oldWorkerTunnels`` is then a lower bound.
        public var oldWorkerTunnelsPartial: Bool?
        /// `per-server` (exact, from `show sess all`) or `per-backend` (from counters).
        public var tunnelDetail: String?
        public var tunnelDetailNote: String?
        public var skippedRows: Int?
    }

    public struct FrontendEntry: Sendable, Codable, Hashable {
        public var instance: String
        public var name: String
        public var status: String
        public var sessions: Int
        public var sessionLimit: Int?
        public var sessionRate: Int
        public var requestRate: Int
        public var requestErrors: Int
    }

    public struct BackendEntry: Sendable, Codable, Hashable {
        public var instance: String
        public var name: String
        public var status: String
        public var sessions: Int
        public var sessionLimit: Int?
        public var tunnels: Int?
        public var queue: Int
        public var errors: Int
        public var serversUp: Int
        public var serversTotal: Int
        public var servers: [ServerEntry]
    }

    public struct ServerEntry: Sendable, Codable, Hashable {
        public var name: String
        /// HAProxy's own status string, e.g. `UP 1/3`, `DRAIN (agent)`.
        public var status: String
        public var adminState: AdminState?
        public var operState: OperationalState?
        public var weight: Int
        public var sessions: Int
        public var sessionLimit: Int?
        public var tunnels: Int?
        public var oldestTunnelSeconds: Int?
        public var queue: Int
        public var errors: Int
        public var checkStatus: String?
        public var checkCode: Int?
        public var checkDescription: String?
        public var lastCheck: String?
        public var address: String?
        public var backup: Bool
        /// The RFC 6455 probe of this server (`haws status --probe`); `nil` (JSON `null`) when not probed.
        public var probe: ProbeEntry? = nil
        /// Whether ``tunnels`` is exact; when not, the counters only bound it to `tunnelsLower...tunnelsUpper`
        /// (HTTP requests in flight beside tunnels on the backend) and ``tunnels`` is the last dump's count
        /// kept within them. `nil` when tunnels are not countable.
        public var tunnelsExact: Bool? = nil
        public var tunnelsLower: Int? = nil
        public var tunnelsUpper: Int? = nil
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

}
