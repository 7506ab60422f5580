import HawsClient
import HawsProbe

/// One command run's configuration: the `--config` file, loaded and checked once (every section, whatever the
/// command), and the instance flags; it resolves each command's settings with ``Precedence``.
///
/// Commands hand it their flags and get typed settings back: ``instances()`` and ``requestTimeout()`` for every
/// command, ``probeSettings(frontends:)`` for `haws status --probe` and `haws doctor`,
/// ``continuousProbeSettings(_:)`` for `haws top`, ``agentSettings(_:)`` for `haws agent`.
public struct RunConfiguration: Sendable {
    /// The config file, `nil` without `--config`.
    public let file: HawsConfigFile?
    public let flags: InstanceFlags

    /// Builds the configuration from an already loaded file (tests parse one from text).
    public init(file: HawsConfigFile?, flags: InstanceFlags) {
        self.file = file
        self.flags = flags
    }

    /// Reads `flags.configFile` when given.
    ///
    /// - Throws: ``ConfigFileError`` for a file that cannot be read or has a problem in any section.
    public static func load(_ flags: InstanceFlags) throws(ConfigFileError) -> RunConfiguration {
        let file = try flags.configFile.map { path throws(ConfigFileError) in try HawsConfigFile.load(path: path) }
        return RunConfiguration(file: file, flags: flags)
    }

    /// The deadline of each request to HAProxy: `--timeout`, else `[timeouts] request`, else 5 s.
    public func requestTimeout() throws(FlagError) -> Duration {
        let flag = try flags.timeout.map { text throws(FlagError) in try DurationFlag.parse(text, flag: "--timeout") }
        return Precedence.resolve(flag: flag, file: file?.requestTimeout, default: InstanceFlags.defaultTimeout)
    }

    /// The instances to read: the config file's, then one per `--socket` / `--master-socket` / `--stats-url`, else
    /// Debian's default socket; a name used twice gets `#2`, `#3`.
    ///
    /// Instance flags add to the file's instances rather than replace them: they name instances, not settings.
    ///
    /// - Throws: ``FlagError``, ``InstanceSpecError``, ``RuntimeEndpointError``, ``StatsPageEndpointError`` or
    ///   ``StatsPageError`` (a password or CA file that cannot be read), each naming the value and the fix.
    public func instances() throws -> [InstanceSpec] {
        var specs = file?.instances ?? []
        for (index, socket) in flags.sockets.enumerated() {
            let master = index < flags.masterSockets.count ? flags.masterSockets[index] : nil
            specs.append(try InstanceSpec.fromFlags(socket: socket, masterSocket: master))
        }
        for master in flags.masterSockets.dropFirst(flags.sockets.count) {
            specs.append(try InstanceSpec.fromFlags(masterSocket: master))
        }
        for url in flags.statsURLs {
            specs.append(
                try InstanceSpec.fromFlags(
                    statsURL: url, statsUser: flags.statsUser, statsPasswordFile: flags.statsPasswordFile,
                    statsCAFile: flags.statsCAFile, statsInsecure: flags.statsInsecure))
        }
        if flags.statsURLs.isEmpty,
            flags.statsUser != nil || flags.statsPasswordFile != nil || flags.statsCAFile != nil || flags.statsInsecure
        {
            throw FlagError(
                "--stats-user, --stats-password-file, --stats-ca-file and --stats-insecure need --stats-url")
        }
        if specs.isEmpty {
            specs.append(try InstanceSpec.fromFlags(socket: InstanceFlags.defaultSocket))
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
            return count == 1
                ? spec
                : try InstanceSpec(
                    name: "\(spec.name)#\(count)", runtime: spec.runtime, master: spec.master,
                    statsPage: spec.statsPage)
        }
    }

    /// One probe round's settings (`haws status --probe`, `haws doctor`): `[probes]` (defaults when absent),
    /// checked by the probe engine's rules, plus the `--probe-frontend` URLs.
    public func probeSettings(frontends: [String]) throws -> ProbeSettings {
        var settings = try ProbeSettings(config: try file?.probes())
        try Self.add(frontends: frontends, to: &settings)
        return settings
    }

    /// The continuous probes of `haws top` (and of `haws agent`, through ``agentSettings(_:)``); `nil` when
    /// probing is off: `--no-probe`, or `continuous = false` in `[probes]` without a probe flag to say otherwise.
    public func continuousProbeSettings(_ probe: ContinuousProbeFlags) throws -> ProbeSettings? {
        let config = try file?.probes()
        if probe.noProbe || (config?.continuous == false && !probe.asksForProbes) {
            return nil
        }
        let defaults = ProbeSettings()
        var settings = try ProbeSettings(config: config)
        settings.interval = Precedence.resolve(
            flag: try probe.interval(), file: config?.interval, default: defaults.interval)
        settings.budget = Precedence.resolve(flag: try probe.budget(), file: config?.budget, default: defaults.budget)
        try Self.add(frontends: probe.probeFrontends, to: &settings)
        return settings
    }

    /// `--probe-frontend` URLs add to the file's `frontend` ones.
    private static func add(frontends: [String], to settings: inout ProbeSettings) throws(FlagError) {
        for url in frontends {
            do throws(ProbeTargetError) {
                try settings.addFrontend(url)
            } catch {
                throw FlagError("--probe-frontend \(url): \(error.reason)")
            }
        }
    }
}
