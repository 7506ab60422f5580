import ArgumentParser
import HawsClient

/// The instance options `status`, `agent` and `top` share, so one command line works for all three.
struct InstanceOptions: ParsableArguments {
    @Option(name: .customLong("socket"), help: ArgumentHelp(
        "Runtime API socket of a worker: a path, unix:PATH, tcp://HOST:PORT or ipv4@HOST:PORT. Repeat for several instances.",
        valueName: "socket"))
    var sockets: [String] = []

    @Option(name: .customLong("master-socket"), help: ArgumentHelp(
        "Master CLI socket (haproxy -W -S): finds tunnels still held by old workers after a reload. The n-th --master-socket belongs to the n-th --socket.",
        valueName: "socket"))
    var masterSockets: [String] = []

    @Option(name: .customLong("stats-url"), help: ArgumentHelp(
        "Stats page CSV URL, e.g. 'http://admin@127.0.0.1:8404/stats;csv' (';csv' is added when missing). Repeatable.",
        valueName: "url"))
    var statsURLs: [String] = []

    @Option(help: "User for the stats page's basic auth (or put it in the URL as user@host).")
    var statsUser: String?

    @Option(help: ArgumentHelp(
        "File holding the stats page password; or set HAWS_STATS_PASSWORD. Never a flag value, which would show in ps.",
        valueName: "path"))
    var statsPasswordFile: String?

    @Option(help: ArgumentHelp("CA bundle (PEM) to verify an https:// stats page.", valueName: "path"))
    var statsCAFile: String?

    @Flag(help: "Do not verify the stats page's TLS certificate.")
    var statsInsecure = false

    @Option(name: .customLong("config"), help: ArgumentHelp("TOML file listing instances (see README); flags add to it.", valueName: "path"))
    var configFile: String?

    @Option(help: ArgumentHelp(
        "Deadline of each request to HAProxy, e.g. 2s or 500ms (default: [timeouts] request of --config, else 5s).",
        valueName: "duration"))
    var timeout: String?

    static let defaultSocket = "/run/haproxy/admin.sock"
    static let defaultTimeout: Duration = .seconds(5)

    func validate() throws {
        if let timeout { _ = try DurationFlag.parse(timeout, flag: "--timeout") }
    }

    /// `--timeout`, else `[timeouts] request` of `--config`, else 5 s: the same for every command.
    func requestTimeout() throws -> Duration {
        if let timeout { return try DurationFlag.parse(timeout, flag: "--timeout") }
        if let configFile, let fromFile = try HawsConfigFile.load(path: configFile).requestTimeout { return fromFile }
        return Self.defaultTimeout
    }

    /// The instances to read: the config file's, then one per --socket / --stats-url, else Debian's
    /// default socket.
    func instances() throws -> [InstanceSpec] {
        var specs: [InstanceSpec] = []
        if let configFile {
            specs += try HawsConfigFile.load(path: configFile).instances
        }
        for (index, socket) in sockets.enumerated() {
            let master = index < masterSockets.count ? masterSockets[index] : nil
            specs.append(try InstanceSpec.fromFlags(socket: socket, masterSocket: master))
        }
        for master in masterSockets.dropFirst(sockets.count) {
            specs.append(try InstanceSpec.fromFlags(masterSocket: master))
        }
        for url in statsURLs {
            specs.append(
                try InstanceSpec.fromFlags(
                    statsURL: url, statsUser: statsUser, statsPasswordFile: statsPasswordFile, statsCAFile: statsCAFile,
                    statsInsecure: statsInsecure))
        }
        if statsURLs.isEmpty, statsUser != nil || statsPasswordFile != nil || statsCAFile != nil || statsInsecure {
            throw ValidationError("--stats-user, --stats-password-file, --stats-ca-file and --stats-insecure need --stats-url")
        }
        if specs.isEmpty {
            specs.append(try InstanceSpec.fromFlags(socket: Self.defaultSocket))
        }
        for page in specs.compactMap(\.statsPage) {
            // The password file and the CA file are read now: a bad one is a bad argument (exit 3) for every
            // command, not an unreachable instance on every poll of `top` and `agent`.
            _ = try StatsPageClient(spec: page)
        }
        var seen: [String: Int] = [:]
        return try specs.map { spec in
            seen[spec.name, default: 0] += 1
            let count = seen[spec.name]!
            return count == 1 ? spec : try InstanceSpec(name: "\(spec.name)#\(count)", runtime: spec.runtime, master: spec.master, statsPage: spec.statsPage)
        }
    }
}
