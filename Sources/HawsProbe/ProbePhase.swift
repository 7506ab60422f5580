/// The steps of one probe, in the order they happen, so a result can say where the time (or the failure) went.
///
/// HAProxy's own checks only say "L7 timeout"; an operator needs to know whether the name, the TCP connect, the
/// TLS handshake, the 101 or the WebSocket itself was slow, because each points at a different culprit.
public enum ProbePhase: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Resolving a host name to an address (absent when the target is an IP literal).
    case resolve
    /// The TCP handshake: `connect()` until the socket is writable.
    case connect
    /// The TLS handshake, for `wss://` targets.
    case tls
    /// From the upgrade request leaving until the response head arrives.
    case upgrade
    /// From our ping until the matching pong.
    case ping
    /// From our text message until the reply.
    case message
    /// From our close frame until the server's close frame.
    case close

    public var description: String { self.rawValue }
}
