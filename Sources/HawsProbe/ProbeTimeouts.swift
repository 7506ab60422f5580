/// Per-phase time limits plus one deadline for the whole probe.
///
/// Phase limits name the culprit (a 2 s connect limit fails as `connect_timeout`, not as a vague overall timeout);
/// the deadline bounds what one probe can cost, whatever the phases add up to, so a hung backend can never hold a
/// probe slot or a file descriptor longer than `deadline`.
public struct ProbeTimeouts: Sendable, Hashable, Codable {
    /// The whole probe, from the first step to the result.
    public var deadline: Duration
    /// Name resolution (only for host names).
    public var resolve: Duration
    /// The TCP handshake.
    public var connect: Duration
    /// The TLS handshake.
    public var tls: Duration
    /// From the upgrade request to the response head.
    public var upgrade: Duration
    /// From our ping to the pong.
    public var ping: Duration
    /// From our message to its reply.
    public var message: Duration
    /// From our close frame to the server's (and then to the server closing TCP).
    public var close: Duration

    public init(
        deadline: Duration = .seconds(5),
        resolve: Duration = .seconds(2),
        connect: Duration = .seconds(2),
        tls: Duration = .seconds(2),
        upgrade: Duration = .seconds(3),
        ping: Duration = .seconds(2),
        message: Duration = .seconds(2),
        close: Duration = .seconds(1)
    ) {
        self.deadline = deadline
        self.resolve = resolve
        self.connect = connect
        self.tls = tls
        self.upgrade = upgrade
        self.ping = ping
        self.message = message
        self.close = close
    }

    /// Every limit set to `limit`, handy for tests and for "just give it N seconds".
    public static func all(_ limit: Duration) -> ProbeTimeouts {
        ProbeTimeouts(
            deadline: limit,
            resolve: limit,
            connect: limit,
            tls: limit,
            upgrade: limit,
            ping: limit,
            message: limit,
            close: limit
        )
    }

    /// The limit of one phase.
    public subscript(phase: ProbePhase) -> Duration {
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
}
