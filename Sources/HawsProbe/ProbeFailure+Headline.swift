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
