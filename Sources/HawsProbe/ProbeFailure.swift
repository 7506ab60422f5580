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
