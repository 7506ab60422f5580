/// How long each phase of one probe took; `nil` for a phase that did not run or did not finish.
///
/// Phases are reported separately because they point at different culprits: a slow `connect` is the network or a
/// full backlog, a slow `upgrade` the backend application, a slow `ping` the tunnel itself.
public struct ProbeTimings: Sendable, Hashable {
    public var resolve: Duration?
    public var connect: Duration?
    public var tls: Duration?
    public var upgrade: Duration?
    public var ping: Duration?
    public var message: Duration?
    public var close: Duration?
    /// From the start of the probe (resolution included) to its result.
    public var total: Duration

    public init(
        resolve: Duration? = nil,
        connect: Duration? = nil,
        tls: Duration? = nil,
        upgrade: Duration? = nil,
        ping: Duration? = nil,
        message: Duration? = nil,
        close: Duration? = nil,
        total: Duration = .zero
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

    /// The duration of one phase.
    public subscript(phase: ProbePhase) -> Duration? {
        get {
            switch phase {
            case .resolve: self.resolve
            case .connect: self.connect
            case .tls: self.tls
            case .upgrade: self.upgrade
            case .ping: self.ping
            case .message: self.message
            case .close: self.close
            }
        }
        set {
            switch phase {
            case .resolve: self.resolve = newValue
            case .connect: self.connect = newValue
            case .tls: self.tls = newValue
            case .upgrade: self.upgrade = newValue
            case .ping: self.ping = newValue
            case .message: self.message = newValue
            case .close: self.close = newValue
            }
        }
    }
}

// JSON: milliseconds as numbers (`connectMs: 0.41`), with explicit `null` for phases that did not run, so a script
// can tell "not measured" from a missing key.
extension ProbeTimings: Codable {
    enum CodingKeys: String, CodingKey {
        case resolveMs, connectMs, tlsMs, upgradeMs, pingMs, messageMs, closeMs, totalMs
    }

    private static func key(_ phase: ProbePhase) -> CodingKeys {
        switch phase {
        case .resolve: .resolveMs
        case .connect: .connectMs
        case .tls: .tlsMs
        case .upgrade: .upgradeMs
        case .ping: .pingMs
        case .message: .messageMs
        case .close: .closeMs
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for phase in ProbePhase.allCases {
            try c.encode(self[phase]?.milliseconds, forKey: Self.key(phase))
        }
        try c.encode(self.total.milliseconds, forKey: .totalMs)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(total: Duration(milliseconds: try c.decode(Double.self, forKey: .totalMs)))
        for phase in ProbePhase.allCases {
            self[phase] = try c.decodeIfPresent(Double.self, forKey: Self.key(phase)).map(Duration.init(milliseconds:))
        }
    }
}

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

extension Duration {
    /// The duration in milliseconds as a `Double`: the unit operators read latencies in and that JSON output uses.
    public var milliseconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }

    /// Whole microseconds, the resolution latency histograms record at (rounded down, never negative).
    var wholeMicroseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return micros > 0 ? UInt64(micros) : 0
    }

    /// A duration from milliseconds, the inverse of ``milliseconds`` (to decode JSON).
    init(milliseconds: Double) {
        self = .nanoseconds(Int64((milliseconds * 1e6).rounded()))
    }
}

extension Duration {
    /// "250 ms" or "1.5 s": how timeouts read in a failure line.
    var shortDescription: String {
        let ms = self.milliseconds
        if ms < 1_000 {
            return ms == ms.rounded() ? "\(Int(ms)) ms" : "\(((ms * 10).rounded() / 10)) ms"
        }
        let seconds = (ms / 10).rounded() / 100
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
