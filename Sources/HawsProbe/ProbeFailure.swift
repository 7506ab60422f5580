/// Why a probe failed, one case per fault an operator fixes differently.
///
/// Each case carries the facts seen on the wire (the real status code, the accept value received, the subprotocol
/// the server picked) so the one-line ``description`` can say what to do, and ``code`` is a short stable token for
/// scripts, JSON output and the per-code counters of ``ProbeStatistics``.
public enum ProbeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The target cannot be probed as written (bad header, empty host, port out of range).
    case invalidTarget(reason: String)
    /// The host name did not resolve.
    case resolve(host: String, reason: String)
    /// The TCP connect was refused: nothing listens at the address.
    case connectRefused(address: String)
    /// The TCP connect did not complete in time.
    case connectTimeout(after: Duration)
    /// The TCP connect failed for another reason (unreachable network, no file descriptors left).
    case connectFailed(reason: String)
    /// The TLS handshake failed or its configuration (CA file, client certificate) could not be loaded.
    case tls(reason: String)
    /// The server answered the upgrade with a status other than 101.
    case status(code: Int, reason: String)
    /// The 101 lacks `Upgrade: websocket`; `received` is the header's value, if any.
    case missingUpgrade(received: String?)
    /// The 101 lacks the `upgrade` token in `Connection`; `received` is the header's value, if any.
    case missingConnection(received: String?)
    /// `Sec-WebSocket-Accept` is missing, repeated or not the RFC 6455 hash of our key.
    case badAccept(expected: String, received: String?)
    /// The server selected a subprotocol we did not offer (or several).
    case badSubprotocol(received: String, offered: [String])
    /// The server enabled an extension we did not offer.
    case badExtension(received: String, offered: [String])
    /// No pong arrived in time for our ping.
    case pingTimeout(after: Duration)
    /// A pong arrived whose payload is not our ping's (hex strings).
    case pongMismatch(expected: String, received: String)
    /// The reply to our text message does not match the expected pattern.
    case messageMismatch(pattern: String, received: String)
    /// The closing handshake did not complete: no close frame came back, or TCP dropped without one.
    case close(reason: String)
    /// A phase ran out of time (its own timeout or the whole-probe deadline).
    case timeout(phase: ProbePhase, after: Duration)
    /// The connection closed or was reset before the probe finished.
    case closedEarly(phase: ProbePhase, reason: String)
    /// The server broke HTTP or RFC 6455 framing (a response that is not HTTP, an invalid frame).
    case protocolViolation(phase: ProbePhase, reason: String)
    /// The task awaiting the probe was cancelled.
    case cancelled

    /// A short stable token for scripts and counters, such as `connect_refused` or `bad_accept`.
    public var code: String {
        switch self {
        case .invalidTarget: "invalid_target"
        case .resolve: "resolve"
        case .connectRefused: "connect_refused"
        case .connectTimeout: "connect_timeout"
        case .connectFailed: "connect_failed"
        case .tls: "tls"
        case .status: "status"
        case .missingUpgrade: "missing_upgrade"
        case .missingConnection: "missing_connection"
        case .badAccept: "bad_accept"
        case .badSubprotocol: "bad_subprotocol"
        case .badExtension: "bad_extension"
        case .pingTimeout: "ping_timeout"
        case .pongMismatch: "pong_mismatch"
        case .messageMismatch: "message_mismatch"
        case .close: "close"
        case .timeout: "timeout"
        case .closedEarly: "closed_early"
        case .protocolViolation: "protocol"
        case .cancelled: "cancelled"
        }
    }

    /// Every code, for documentation, schemas and exhaustive tests.
    public static let allCodes: [String] = [
        "invalid_target", "resolve", "connect_refused", "connect_timeout", "connect_failed", "tls", "status",
        "missing_upgrade", "missing_connection", "bad_accept", "bad_subprotocol", "bad_extension", "ping_timeout",
        "pong_mismatch", "message_mismatch", "close", "timeout", "closed_early", "protocol", "cancelled",
    ]

    /// The phase the failure belongs to, so timings and failures line up; `nil` when no phase ran.
    public var phase: ProbePhase? {
        switch self {
        case .invalidTarget, .cancelled: nil
        case .resolve: .resolve
        case .connectRefused, .connectTimeout, .connectFailed: .connect
        case .tls: .tls
        case .status, .missingUpgrade, .missingConnection, .badAccept, .badSubprotocol, .badExtension: .upgrade
        case .pingTimeout, .pongMismatch: .ping
        case .messageMismatch: .message
        case .close: .close
        case .timeout(let phase, _), .closedEarly(let phase, _), .protocolViolation(let phase, _): phase
        }
    }

    /// One line an operator can act on: what was seen, and where to look.
    public var description: String {
        switch self {
        case .invalidTarget(let reason):
            return "invalid probe target: \(reason)"
        case .resolve(let host, let reason):
            return "cannot resolve \(host): \(reason); check the name and the resolver"
        case .connectRefused(let address):
            return "TCP connect to \(address) refused: nothing listens there (backend down or wrong port)"
        case .connectTimeout(let after):
            return "TCP connect did not complete within \(after.shortDescription): host down, SYNs dropped "
                + "by a firewall, or a full listen backlog"
        case .connectFailed(let reason):
            return "TCP connect failed: \(reason)"
        case .tls(let reason):
            return "TLS handshake failed: \(reason); check the certificate chain, the CA file and the SNI name"
        case .status(let code, let reason):
            let phrase = reason.isEmpty ? "" : " \(reason)"
            return "server answered HTTP \(code)\(phrase) instead of 101 Switching Protocols; check the path, "
                + "Host and Origin, and that the backend serves WebSocket there"
        case .missingUpgrade(let received):
            return "101 response lacks 'Upgrade: websocket' (got \(Self.quoted(received))): the backend or a proxy "
                + "mangles the handshake, browsers will refuse it"
        case .missingConnection(let received):
            return "101 response lacks 'Connection: upgrade' (got \(Self.quoted(received))): the backend or a proxy "
                + "mangles the handshake, browsers will refuse it"
        case .badAccept(let expected, let received):
            return "Sec-WebSocket-Accept is \(Self.quoted(received)), expected '\(expected)': the backend computes the "
                + "RFC 6455 accept wrongly, browsers will refuse the connection"
        case .badSubprotocol(let received, let offered):
            return "server selected subprotocol '\(received)', which was not offered (offered: "
                + "\(Self.list(offered))); browsers will fail the connection"
        case .badExtension(let received, let offered):
            return "server enabled extension '\(received)', which was not offered (offered: "
                + "\(Self.list(offered))); browsers will fail the connection"
        case .pingTimeout(let after):
            return "no pong within \(after.shortDescription) of our ping: the backend or a proxy does not answer "
                + "WebSocket control frames"
        case .pongMismatch(let expected, let received):
            return "pong payload \(received) does not match our ping's \(expected): the backend answers pings wrongly"
        case .messageMismatch(let pattern, let received):
            return "reply '\(Self.excerpt(received))' does not match /\(pattern)/: the backend's application answered "
                + "differently"
        case .close(let reason):
            return "no clean close: \(reason)"
        case .timeout(let phase, let after):
            return "\(phase) did not finish within \(after.shortDescription): \(Self.timeoutHint(phase))"
        case .closedEarly(let phase, let reason):
            return "connection closed during \(phase): \(reason)"
        case .protocolViolation(let phase, let reason):
            return "protocol violation during \(phase): \(reason)"
        case .cancelled:
            return "probe cancelled before it finished"
        }
    }

    private static func timeoutHint(_ phase: ProbePhase) -> String {
        switch phase {
        case .resolve: "the resolver is slow or unreachable"
        case .connect: "host down, SYNs dropped, or a full listen backlog"
        case .tls: "the server accepted TCP but did not finish the TLS handshake"
        case .upgrade: "the server accepted the connection but did not answer the upgrade request"
        case .ping: "no pong came back"
        case .message: "no reply to the probe's message"
        case .close: "the server did not answer our close frame"
        }
    }

    private static func quoted(_ value: String?) -> String {
        value.map { "'\(excerpt($0))'" } ?? "nothing"
    }

    private static func list(_ values: [String]) -> String {
        values.isEmpty ? "none" : values.joined(separator: ", ")
    }

    /// Keeps descriptions on one short line whatever the server sent.
    static func excerpt(_ text: String, limit: Int = 120) -> String {
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        return flat.count > limit ? String(flat.prefix(limit)) + "..." : flat
    }
}

extension ProbeFailure {
    /// A few words naming the fault, for table cells and one-line findings ("HAProxy says UP, handshake fails:
    /// wrong Sec-WebSocket-Accept"); ``description`` has the detail and what to do.
    public var headline: String {
        switch self {
        case .invalidTarget: "invalid probe target"
        case .resolve(let host, _): "cannot resolve \(host)"
        case .connectRefused: "connection refused"
        case .connectTimeout: "TCP connect timeout"
        case .connectFailed: "TCP connect failed"
        case .tls: "TLS handshake failed"
        case .status(let code, _): "HTTP \(code) instead of 101"
        case .missingUpgrade: "101 without 'Upgrade: websocket'"
        case .missingConnection: "101 without 'Connection: upgrade'"
        case .badAccept: "wrong Sec-WebSocket-Accept"
        case .badSubprotocol(let received, _): "subprotocol '\(Self.excerpt(received, limit: 40))' was not offered"
        case .badExtension(let received, _): "extension '\(Self.excerpt(received, limit: 40))' was not offered"
        case .pingTimeout: "no pong"
        case .pongMismatch: "wrong pong payload"
        case .messageMismatch: "unexpected reply to the probe message"
        case .close: "no clean close"
        case .timeout(let phase, _): "\(phase) timeout"
        case .closedEarly(let phase, _): "connection closed during \(phase)"
        case .protocolViolation(let phase, _): "protocol violation during \(phase)"
        case .cancelled: "cancelled"
        }
    }

    /// Whether the failure happened before the 101 was accepted (the handshake itself), as opposed to in the tunnel
    /// (ping, message, close).
    public var isHandshakeFailure: Bool {
        switch self.phase {
        case .resolve?, .connect?, .tls?, .upgrade?, nil: true
        case .ping?, .message?, .close?: false
        }
    }
}

extension ProbeOptions.Mode {
    /// The spelling of the command line and the config file: `full` or `connect-only`.
    public var name: String {
        switch self {
        case .full: "full"
        case .connectOnly: "connect-only"
        }
    }

    /// Every accepted spelling, for help texts and messages.
    public static let names = ["full", "connect-only"]

    /// Parses `full` or `connect-only` (also `connect_only`).
    public init?(name: String) {
        switch name.lowercased() {
        case "full": self = .full
        case "connect-only", "connect_only", "connectonly": self = .connectOnly
        default: return nil
        }
    }
}

// JSON shape: `{"code": "status", "phase": "upgrade", "message": "...", "status": 400, "reason": "Bad Request"}`.
// A flat object keyed by `code` reads better in `jq` than Swift's synthesized nesting of associated values, and
// `message` carries the operator-facing line so a consumer needs no copy of the wording.

extension ProbeFailure: Codable {
    enum CodingKeys: String, CodingKey {
        case code, phase, message, reason, host, address, status, expected, received, offered, pattern, afterMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.code, forKey: .code)
        try c.encode(self.phase, forKey: .phase)
        try c.encode(self.description, forKey: .message)
        switch self {
        case .invalidTarget(let reason), .connectFailed(let reason), .tls(let reason), .close(let reason):
            try c.encode(reason, forKey: .reason)
        case .resolve(let host, let reason):
            try c.encode(host, forKey: .host)
            try c.encode(reason, forKey: .reason)
        case .connectRefused(let address):
            try c.encode(address, forKey: .address)
        case .connectTimeout(let after), .pingTimeout(let after), .timeout(_, let after):
            try c.encode(after.milliseconds, forKey: .afterMs)
        case .status(let code, let reason):
            try c.encode(code, forKey: .status)
            try c.encode(reason, forKey: .reason)
        case .missingUpgrade(let received), .missingConnection(let received):
            try c.encode(received, forKey: .received)
        case .badAccept(let expected, let received):
            try c.encode(expected, forKey: .expected)
            try c.encode(received, forKey: .received)
        case .badSubprotocol(let received, let offered), .badExtension(let received, let offered):
            try c.encode(received, forKey: .received)
            try c.encode(offered, forKey: .offered)
        case .pongMismatch(let expected, let received):
            try c.encode(expected, forKey: .expected)
            try c.encode(received, forKey: .received)
        case .messageMismatch(let pattern, let received):
            try c.encode(pattern, forKey: .pattern)
            try c.encode(received, forKey: .received)
        case .closedEarly(_, let reason), .protocolViolation(_, let reason):
            try c.encode(reason, forKey: .reason)
        case .cancelled:
            break
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let code = try c.decode(String.self, forKey: .code)
        func string(_ key: CodingKeys) throws -> String { try c.decode(String.self, forKey: key) }
        func after() throws -> Duration { Duration(milliseconds: try c.decode(Double.self, forKey: .afterMs)) }
        func phase() throws -> ProbePhase { try c.decode(ProbePhase.self, forKey: .phase) }
        switch code {
        case "invalid_target": self = .invalidTarget(reason: try string(.reason))
        case "resolve": self = .resolve(host: try string(.host), reason: try string(.reason))
        case "connect_refused": self = .connectRefused(address: try string(.address))
        case "connect_timeout": self = .connectTimeout(after: try after())
        case "connect_failed": self = .connectFailed(reason: try string(.reason))
        case "tls": self = .tls(reason: try string(.reason))
        case "status": self = .status(code: try c.decode(Int.self, forKey: .status), reason: try string(.reason))
        case "missing_upgrade": self = .missingUpgrade(received: try c.decodeIfPresent(String.self, forKey: .received))
        case "missing_connection":
            self = .missingConnection(received: try c.decodeIfPresent(String.self, forKey: .received))
        case "bad_accept":
            self = .badAccept(
                expected: try string(.expected),
                received: try c.decodeIfPresent(String.self, forKey: .received)
            )
        case "bad_subprotocol":
            self = .badSubprotocol(
                received: try string(.received),
                offered: try c.decode([String].self, forKey: .offered)
            )
        case "bad_extension":
            self = .badExtension(
                received: try string(.received),
                offered: try c.decode([String].self, forKey: .offered)
            )
        case "ping_timeout": self = .pingTimeout(after: try after())
        case "pong_mismatch": self = .pongMismatch(expected: try string(.expected), received: try string(.received))
        case "message_mismatch":
            self = .messageMismatch(pattern: try string(.pattern), received: try string(.received))
        case "close": self = .close(reason: try string(.reason))
        case "timeout": self = .timeout(phase: try phase(), after: try after())
        case "closed_early": self = .closedEarly(phase: try phase(), reason: try string(.reason))
        case "protocol": self = .protocolViolation(phase: try phase(), reason: try string(.reason))
        case "cancelled": self = .cancelled
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .code,
                in: c,
                debugDescription: "unknown probe failure code '\(code)'"
            )
        }
    }
}
