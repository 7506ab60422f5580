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
