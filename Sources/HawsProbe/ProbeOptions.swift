/// How far a probe goes and how long each step may take.
///
/// Options are shared by many targets (one `probeAll` call, one TLS profile), while ``ProbeTarget`` holds what
/// differs per endpoint.
public struct ProbeOptions: Sendable, Hashable {
    /// How much of a WebSocket session to exercise.
    public enum Mode: String, Sendable, Hashable, Codable {
        /// Stop at a verified 101, then close: the cheapest check that a browser could connect.
        case connectOnly
        /// Also prove the tunnel carries frames both ways (ping/pong with a random payload, the optional message)
        /// and that the server completes the closing handshake: what HAProxy's checks can never see.
        case full
    }

    public var mode: Mode
    public var timeouts: ProbeTimeouts
    /// Certificates and verification for `wss://` targets; ignored for `ws://`.
    public var tls: TLSProfile
    /// A text message to send after the pong in `.full` mode, and the reply expected.
    public var message: ProbeMessage?

    public init(
        mode: Mode = .full,
        timeouts: ProbeTimeouts = ProbeTimeouts(),
        tls: TLSProfile = TLSProfile(),
        message: ProbeMessage? = nil
    ) {
        self.mode = mode
        self.timeouts = timeouts
        self.tls = tls
        self.message = message
    }
}

/// An application-level check for `.full` probes: a text message and a regular expression its reply must match.
///
/// A backend can complete the handshake and answer pings from its WebSocket library while the application behind
/// it is broken; an echo or a `{"type":"ping"}` round trip shows the application answers.
public struct ProbeMessage: Sendable, Hashable {
    /// The text frame to send.
    public let text: String
    /// A regular expression (Swift `Regex` syntax) searched in the reply; anchor it with `^...$` for an exact match.
    public let expectedReply: String

    /// - Throws: ``ProbeMessageError`` when `expectedReply` is not a valid regular expression, so a bad pattern in
    ///   the configuration is reported at load time rather than as a failing backend.
    public init(text: String, expectedReply: String) throws(ProbeMessageError) {
        do {
            _ = try Regex(expectedReply)
        } catch {
            throw ProbeMessageError(pattern: expectedReply, reason: "\(error)")
        }
        self.text = text
        self.expectedReply = expectedReply
    }

    /// Whether `reply` matches the expected pattern.
    func matches(_ reply: String) -> Bool {
        guard let regex = try? Regex(self.expectedReply) else {
            return false
        }
        return reply.contains(regex)
    }
}

/// The expected-reply pattern of a ``ProbeMessage`` does not compile.
public struct ProbeMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let reason: String

    public var description: String {
        "expected reply /\(self.pattern)/ is not a valid regular expression: \(self.reason)"
    }
}
