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
