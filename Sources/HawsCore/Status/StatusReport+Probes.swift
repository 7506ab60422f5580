#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// What `haws status --probe` adds to the report: per server, the verdict of an RFC 6455 probe; per run, the probes
// made through HAProxy's frontend and the totals. HawsCore knows nothing of sockets: the probe module fills these
// values from its results.

extension StatusReport {
    /// One probe of a server (or of a URL through the frontend), as the report shows it.
    public struct ProbeEntry: Sendable, Codable, Hashable {
        public enum Verdict: String, Sendable, Codable, Hashable {
            case passed
            case failed
            /// No probe could be made; `message` says why (port 0, no address, MAINT, ...).
            case notProbeable = "not_probeable"
        }

        public var verdict: Verdict
        /// The `ws://` or `wss://` URL probed; `nil` when not probeable.
        public var url: String?
        /// `full` or `connect-only`.
        public var mode: String?
        /// The stable failure code (`bad_accept`, `connect_refused`, ...); `nil` unless failed.
        public var failureCode: String?
        /// The phase the failure happened in (`connect`, `upgrade`, `ping`, ...); `nil` unless failed.
        public var failurePhase: String?
        /// A few words for tables and findings: `wrong Sec-WebSocket-Accept`.
        public var headline: String?
        /// The full line: what was seen and what to do; for a server not probed, the reason.
        public var message: String?
        /// The status of the upgrade response (101 when it passed), if one arrived.
        public var httpStatus: Int?
        /// Phase timings in milliseconds; `nil` when not probeable.
        public var timingsMs: PhaseTimings?

        public init(
            verdict: Verdict,
            url: String? = nil,
            mode: String? = nil,
            failureCode: String? = nil,
            failurePhase: String? = nil,
            headline: String? = nil,
            message: String? = nil,
            httpStatus: Int? = nil,
            timingsMs: PhaseTimings? = nil
        ) {
            self.verdict = verdict
            self.url = url
            self.mode = mode
            self.failureCode = failureCode
            self.failurePhase = failurePhase
            self.headline = headline
            self.message = message
            self.httpStatus = httpStatus
            self.timingsMs = timingsMs
        }

        /// A server that cannot be probed, and why.
        public static func notProbeable(_ reason: String) -> ProbeEntry {
            ProbeEntry(verdict: .notProbeable, message: reason)
        }

        /// Whether the failure happened before the 101 was accepted (as opposed to in the tunnel).
        public var isHandshakeFailure: Bool {
            switch self.failurePhase {
            case "ping", "message", "close": false
            default: true
            }
        }
    }

    /// Milliseconds per phase; `nil` for a phase that did not run.
    public struct PhaseTimings: Sendable, Codable, Hashable {
        public var resolve: Double?
        public var connect: Double?
        public var tls: Double?
        public var upgrade: Double?
        public var ping: Double?
        public var message: Double?
        public var close: Double?
        public var total: Double

        public init(
            resolve: Double? = nil,
            connect: Double? = nil,
            tls: Double? = nil,
            upgrade: Double? = nil,
            ping: Double? = nil,
            message: Double? = nil,
            close: Double? = nil,
            total: Double
        ) {
            self.resolve = resolve
            self.connect = connect
            self.tls = tls
            self.upgrade = upgrade
            self.ping = ping
            self.message = message
            self.close = close
            self.total = total
        }
    }

    /// A URL probed through HAProxy's frontend.
    public struct FrontendProbeEntry: Sendable, Codable, Hashable {
        /// The instance it is reported under.
        public var instance: String
        public var url: String
        public var probe: ProbeEntry

        public init(instance: String, url: String, probe: ProbeEntry) {
            self.instance = instance
            self.url = url
            self.probe = probe
        }
    }

    /// The probe round of `haws status --probe`; `null` in the report without `--probe`.
    public struct ProbeSummary: Sendable, Codable, Hashable {
        /// Servers probed (passed + failed).
        public var probed: Int
        public var passed: Int
        public var failed: Int
        /// Servers listed with a reason instead.
        public var notProbeable: Int
        /// Wall time of the round.
        public var durationMs: Double?
        public var frontends: [FrontendProbeEntry]
    }
}

/// What `haws status --probe` measured, handed to ``StatusEvaluator``: a probe per server of each instance, and the
/// probes made through the frontend.
public struct StatusProbeResults: Sendable, Hashable {
    /// By instance name, then server.
    public var servers: [String: [ServerKey: StatusReport.ProbeEntry]]
    public var frontends: [StatusReport.FrontendProbeEntry]
    /// Wall time of the round.
    public var durationMs: Double?

    public init(
        servers: [String: [ServerKey: StatusReport.ProbeEntry]] = [:],
        frontends: [StatusReport.FrontendProbeEntry] = [],
        durationMs: Double? = nil
    ) {
        self.servers = servers
        self.frontends = frontends
        self.durationMs = durationMs
    }

    /// The probe of one server.
    public func probe(instance: String, server: ServerKey) -> StatusReport.ProbeEntry? {
        self.servers[instance]?[server]
    }

    var serverEntries: [StatusReport.ProbeEntry] {
        self.servers.values.flatMap(\.values)
    }
}
