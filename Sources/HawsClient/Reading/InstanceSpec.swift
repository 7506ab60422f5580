import HawsCore

/// One HAProxy instance to read, and the ways to reach it.
///
/// At least one of a runtime socket, a master CLI socket or a stats page is needed. Several can be given:
/// the runtime socket gives the most (`show sess`, writes), the master socket reaches old workers after a
/// reload, and the stats page works where no socket is reachable.
public struct InstanceSpec: Sendable, Hashable {
    /// Shown in every report line; unique among the instances of one run.
    public let name: String
    /// The `stats socket` of the worker.
    public let runtime: RuntimeEndpoint?
    /// The master CLI (`haproxy -W -S <socket>`), where `show proc` and `@!<pid>` are available.
    public let master: RuntimeEndpoint?
    public let statsPage: StatsPageSpec?

    /// - Parameter name: defaults to the first endpoint as written (socket path, `tcp://host:port`, or the
    ///   stats page's `host:port`).
    public init(
        name: String? = nil,
        runtime: RuntimeEndpoint? = nil,
        master: RuntimeEndpoint? = nil,
        statsPage: StatsPageSpec? = nil
    ) throws(InstanceSpecError) {
        guard runtime != nil || master != nil || statsPage != nil else {
            throw InstanceSpecError(
                "instance \(name.map { "'\($0)' " } ?? "")has nothing to read: give a runtime socket (--socket, "
                    + "socket), a master socket (master_socket) or a stats page URL (--stats-url, stats_url)"
            )
        }
        if let name {
            guard !name.trimmingWhitespace().isEmpty,
                !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw InstanceSpecError(
                    "instance name \(name.debugDescription) is empty or contains a control character: use a short "
                        + "printable name such as edge-1"
                )
            }
        }
        self.name = name ?? Self.defaultName(runtime: runtime, master: master, statsPage: statsPage)
        self.runtime = runtime
        self.master = master
        self.statsPage = statsPage
    }

    /// Builds the instance described by command-line flags, with the same rules as the config file.
    ///
    /// - Throws: ``RuntimeEndpointError``, ``StatsPageEndpointError``, ``StatsPageError`` or
    ///   ``InstanceSpecError``, each with a description naming the flag's value and what to write instead.
    public static func fromFlags(
        name: String? = nil,
        socket: String? = nil,
        masterSocket: String? = nil,
        statsURL: String? = nil,
        statsUser: String? = nil,
        statsPasswordFile: String? = nil,
        statsCAFile: String? = nil,
        statsInsecure: Bool = false
    ) throws -> InstanceSpec {
        let runtime = try socket.map { text throws(RuntimeEndpointError) in try RuntimeEndpoint(parsing: text) }
        let master = try masterSocket.map { text throws(RuntimeEndpointError) in try RuntimeEndpoint(parsing: text) }
        var statsPage: StatsPageSpec?
        if let statsURL {
            statsPage = try StatsPageSpec(
                endpoint: StatsPageEndpoint(parsing: statsURL),
                user: statsUser,
                passwordFile: statsPasswordFile,
                caFile: statsCAFile,
                insecure: statsInsecure
            )
        } else if statsUser != nil || statsPasswordFile != nil || statsCAFile != nil || statsInsecure {
            throw InstanceSpecError(
                "--stats-user, --stats-password-file, --stats-ca-file and --stats-insecure need --stats-url"
            )
        }
        return try InstanceSpec(name: name, runtime: runtime, master: master, statsPage: statsPage)
    }

    private static func defaultName(
        runtime: RuntimeEndpoint?,
        master: RuntimeEndpoint?,
        statsPage: StatsPageSpec?
    ) -> String {
        if let endpoint = runtime ?? master {
            switch endpoint {
            case .unix(let path): return path
            case .tcp(let host, let port): return "\(RuntimeEndpoint.bracketed(host)):\(port)"
            }
        }
        guard let page = statsPage?.endpoint else { return "haproxy" }
        return "\(RuntimeEndpoint.bracketed(page.host)):\(page.port)"
    }
}

/// An instance that cannot be read as described.
public struct InstanceSpecError: Error, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
