import ArgumentParser
import HawsConfig

/// The instance options `status`, `top`, `agent`, `drain` and `doctor` share, so one command line works for all.
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

    /// The flags as plain values, for ``RunConfiguration``.
    var flags: InstanceFlags {
        var flags = InstanceFlags()
        flags.sockets = sockets
        flags.masterSockets = masterSockets
        flags.statsURLs = statsURLs
        flags.statsUser = statsUser
        flags.statsPasswordFile = statsPasswordFile
        flags.statsCAFile = statsCAFile
        flags.statsInsecure = statsInsecure
        flags.configFile = configFile
        flags.timeout = timeout
        return flags
    }

    func validate() throws { try flags.validate() }

    /// The config file of `--config`, loaded and checked once, with these flags: every command's settings come from it.
    func configuration() throws -> RunConfiguration { try RunConfiguration.load(flags) }
}
