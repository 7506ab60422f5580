/// The instance flags `status`, `top`, `agent`, `drain` and `doctor` share, as given on the command line.
///
/// Plain values, so that tests build them without a command line; the executable's option group fills them.
public struct InstanceFlags: Sendable, Hashable {
    /// `--socket`, repeatable: one instance each.
    public var sockets: [String] = []
    /// `--master-socket`: the n-th belongs to the n-th `--socket`; the extra ones are instances of their own.
    public var masterSockets: [String] = []
    /// `--stats-url`, repeatable: one instance each, sharing the four `--stats-*` options below.
    public var statsURLs: [String] = []
    public var statsUser: String?
    public var statsPasswordFile: String?
    public var statsCAFile: String?
    public var statsInsecure = false
    /// `--config`: the TOML file.
    public var configFile: String?
    /// `--timeout` as written; `nil` when not given.
    public var timeout: String?

    /// Without an instance option, haws reads Debian's default socket.
    public static let defaultSocket = "/run/haproxy/admin.sock"
    /// The deadline of one request to HAProxy when neither `--timeout` nor `[timeouts] request` sets it.
    public static let defaultTimeout: Duration = .seconds(5)

    public init() {}

    /// Checks what needs no file: a bad `--timeout` is reported before anything runs.
    public func validate() throws(FlagError) {
        if let timeout { _ = try DurationFlag.parse(timeout, flag: "--timeout") }
    }

    /// Whether any instance option was given (`haws doctor` reads a running HAProxy only then).
    public var namesInstances: Bool {
        !sockets.isEmpty || !masterSockets.isEmpty || !statsURLs.isEmpty || configFile != nil
    }
}
