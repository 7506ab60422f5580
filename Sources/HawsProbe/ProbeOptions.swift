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
