import HawsClient
import HawsCore
import HawsPosix
import HawsProbe
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The haws config file (TOML): the HAProxy instances to read, `[timeouts]`, and the agent's and probes' sections.
///
/// ```toml
/// [[instance]]
/// name = "edge-1"
/// socket = "/run/haproxy/admin.sock"
/// master_socket = "/run/haproxy-master.sock"
///
/// [[instance]]
/// name = "edge-2"
/// stats_url = "https://10.0.0.2:8404/stats;csv"
/// stats_user = "admin"
/// stats_password_file = "/etc/haws/edge-2.pass"
/// stats_ca_file = "/etc/haws/ca.pem"
///
/// [timeouts]
/// request = "5s"
/// ```
///
/// Strict on purpose: an unknown key or section is an error (a typo must not silently drop a setting), and a
/// password written in the file is refused (config files get shared and versioned).
///
/// `[instance]` and `[timeouts]` are read here; `[intervals]`, `[outputs]` (``agentSettings()``) and `[probes]`
/// (``probes()``) are kept in ``otherSections`` for the commands that use them, but every one of them is checked
/// when the file is loaded, whatever the command: a typo in `[outputs]` fails `haws status` as it would fail
/// `haws agent`, instead of waiting for the day the file reaches the agent. `[probes]` gets the probe engine's
/// checks too (URLs, headers, the reply pattern); only its TLS files wait for a command that probes.
public struct HawsConfigFile: Sendable {
    /// The sections this version reads.
    public static let readSections: [String] = ["instance", "timeouts"]
    /// Sections kept as tables for the command that gives them meaning (checked at load all the same).
    public static let reservedSections: [String] = ["intervals", "outputs", "thresholds", "probes"]
    /// The keys of an `[[instance]]` table.
    public static let instanceKeys: [String] = [
        "name", "socket", "master_socket", "stats_url", "stats_user", "stats_password_file", "stats_ca_file",
        "stats_insecure",
    ]
    /// The keys of `[timeouts]`.
    public static let timeoutKeys: [String] = ["request"]

    /// The file it was read from, for messages.
    public let file: String
    /// The instances, in file order, with unique names.
    public let instances: [InstanceSpec]
    /// `[timeouts] request`: the deadline of one request to HAProxy (socket command or stats page fetch).
    public let requestTimeout: Duration?
    /// `[intervals]`, `[outputs]` and `[probes]` as written: ``agentSettings()`` and ``probes()`` read them.
    public let otherSections: [String: ConfigTable]

    /// Reads and checks a config file.
    public static func load(path: String) throws(ConfigFileError) -> HawsConfigFile {
        func unreadable(_ reason: String) -> ConfigFileError {
            ConfigFileError(.unreadable, file: path, at: "", "cannot read the config file (\(reason)): check --config")
        }
        // A directory, fifo or device is refused before reading: reading a fifo would block forever.
        if let problem = ReadableFile.problem(at: path) { throw unreadable(problem) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw unreadable(String(describing: error).replacingLineBreaks())
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(.unreadable, file: path, at: "", "the config file is not UTF-8 text")
        }
        return try HawsConfigFile(parsing: text, file: path)
    }

    /// Parses config text; `file` names it in messages.
    public init(parsing text: String, file: String) throws(ConfigFileError) {
        var root = ConfigTable(file: file, location: "", values: try ConfigValue.parseTOML(text, file: file))

        for (key, value) in root.values where !Self.readSections.contains(key) && !Self.reservedSections.contains(key) {
            if case .table = value {
                continue  // reported below as an unknown section
            }
            if Self.instanceKeys.contains(key) {
                throw ConfigFileError(
                    .unknownKey,
                    file: file,
                    at: "top level",
                    "'\(key)' must be inside an [[instance]] table: write [[instance]] on the line before it"
                )
            }
        }

        if case .table? = root.values["instance"] {
            throw ConfigFileError(
                .wrongType,
                file: file,
                at: "[instance]",
                "write [[instance]] (double brackets, one per HAProxy instance), not [instance]"
            )
        }
        var instances: [InstanceSpec] = []
        for table in try root.tables("instance") ?? [] {
            let instance = try Self.readInstance(table)
            if let first = instances.firstIndex(where: { $0.name == instance.name }) {
                throw ConfigFileError(
                    .duplicateName,
                    file: file,
                    at: "instance \(instances.count + 1)",
                    "instance name '\(instance.name)' is already used by instance \(first + 1): give each a "
                        + "distinct `name`"
                )
            }
            instances.append(instance)
        }

        var requestTimeout: Duration?
        if var timeouts = try root.table("timeouts") {
            requestTimeout = try timeouts.positiveDuration("request")
            try timeouts.rejectUnknownKeys(known: Self.timeoutKeys)
        }

        if root.values["thresholds"] != nil {
            // Accepting it unread would let an operator believe a policy applies that does not.
            throw ConfigFileError(
                .unknownKey, file: file, at: "[thresholds]",
                "this haws does not read [thresholds]: set the status policy with haws status's flags (--down, "
                    + "--drain, --maint, --no-server-up, --sessions-warning, --sessions-critical) and remove the section"
            )
        }
        var otherSections: [String: ConfigTable] = [:]
        for name in Self.reservedSections {
            if let section = try root.table(name) {
                otherSections[name] = section
            }
        }

        for key in root.values.keys.sorted()
        where !Self.readSections.contains(key) && !Self.reservedSections.contains(key) {
            var problem = "unknown section [\(key)]"
            if let suggestion = ConfigTable.closest(to: key, among: Self.readSections + Self.reservedSections) {
                problem += "; did you mean [\(suggestion)]?"
            }
            problem += " (known sections: \((Self.readSections + Self.reservedSections).joined(separator: ", ")))"
            throw ConfigFileError(.unknownKey, file: file, at: "top level", problem)
        }

        self.file = file
        self.instances = instances
        self.requestTimeout = requestTimeout
        self.otherSections = otherSections
        _ = try self.agentSettings()
        _ = try ProbeSettings(config: try self.probes(), loadingFiles: false)
    }

    private static func readInstance(_ original: ConfigTable) throws(ConfigFileError) -> InstanceSpec {
        var table = original
        let name = try table.string("name")
        if let name {
            table = table.relocated(to: "\(original.location) ('\(name.replacingLineBreaks())')")
        }
        try table.refuse(
            "stats_password",
            kind: .refusedSecret,
            because: "a password inside the config file is refused (config files get shared and versioned): write "
                + "it to a file readable only by haws and set stats_password_file, or set HAWS_STATS_PASSWORD"
        )
        let socket = try table.string("socket")
        let masterSocket = try table.string("master_socket")
        let statsURL = try table.string("stats_url")
        let statsUser = try table.string("stats_user")
        let statsPasswordFile = try table.string("stats_password_file")
        let statsCAFile = try table.string("stats_ca_file")
        let statsInsecure = try table.boolean("stats_insecure") ?? false
        try table.rejectUnknownKeys(known: instanceKeys)

        let runtime: RuntimeEndpoint?
        do {
            runtime = try socket.map { text throws(RuntimeEndpointError) in try RuntimeEndpoint(parsing: text) }
        } catch {
            throw table.invalidValue("socket", error.description)
        }
        let master: RuntimeEndpoint?
        do {
            master = try masterSocket.map { text throws(RuntimeEndpointError) in try RuntimeEndpoint(parsing: text) }
        } catch {
            throw table.invalidValue("master_socket", error.description)
        }
        var statsPage: StatsPageSpec?
        if let statsURL {
            let endpoint: StatsPageEndpoint
            do {
                endpoint = try StatsPageEndpoint(parsing: statsURL)
            } catch {
                throw table.invalidValue("stats_url", error.description)
            }
            do {
                statsPage = try StatsPageSpec(
                    endpoint: endpoint,
                    user: statsUser,
                    passwordFile: statsPasswordFile,
                    caFile: statsCAFile,
                    insecure: statsInsecure
                )
            } catch {
                throw ConfigFileError(.invalidValue, file: table.file, at: table.location, String(describing: error))
            }
        } else {
            let orphans = ["stats_user", "stats_password_file", "stats_ca_file", "stats_insecure"]
                .filter { table.values[$0] != nil }
            if !orphans.isEmpty {
                throw table.missingKey("\(orphans.joined(separator: ", ")) need stats_url")
            }
        }
        do {
            return try InstanceSpec(name: name, runtime: runtime, master: master, statsPage: statsPage)
        } catch {
            throw table.missingKey(error.description)
        }
    }
}
