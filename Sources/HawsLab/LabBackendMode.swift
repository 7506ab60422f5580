/// How a lab backend server answers, so tests and the demo can show each failure haws must detect.
///
/// The misbehaving modes mirror faults seen behind real HAProxy setups: HAProxy's `option httpchk GET /health`
/// keeps some of them UP (`refuseUpgrade`, `wrongAccept`, `wrongSubprotocol`) while every real browser fails,
/// which is exactly what an active RFC 6455 probe must catch.
public enum LabBackendMode: Sendable, Hashable, CustomStringConvertible {
    /// A correct RFC 6455 echo server; plain `GET` (such as `/health`) answers 200.
    case ok
    /// Upgrade requests get `400 Bad Request`; plain requests still answer 200, so health checks pass.
    case refuseUpgrade
    /// Upgrade requests get a 101 whose `Sec-WebSocket-Accept` is wrong (computed without the RFC 6455 GUID).
    case wrongAccept
    /// Upgrade requests get a correct 101 that also names a `Sec-WebSocket-Protocol` the client never offered.
    case wrongSubprotocol
    /// Every response, the 101 and `/health` alike, is sent only after the delay; the WebSocket then works.
    case slowHandshake(Duration)
    /// Accepts TCP connections and never answers or closes them.
    case hang
    /// Accepts TCP connections and closes them at once.
    case closeImmediately

    public var description: String {
        switch self {
        case .ok: "ok"
        case .refuseUpgrade: "refuseUpgrade"
        case .wrongAccept: "wrongAccept"
        case .wrongSubprotocol: "wrongSubprotocol"
        case .slowHandshake(let delay): "slowHandshake(\(delay))"
        case .hang: "hang"
        case .closeImmediately: "closeImmediately"
        }
    }

    /// Whether this mode completes a real WebSocket upgrade with NIO's server upgrader.
    var usesNIOUpgrader: Bool {
        switch self {
        case .ok, .wrongSubprotocol, .slowHandshake: true
        case .refuseUpgrade, .wrongAccept, .hang, .closeImmediately: false
        }
    }
}
