#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import HawsCore

/// The steps every doctor run shares: `haws doctor`, `haws status --doctor` and the doctor overlay of `haws top` read
/// the files, run the file rules and the live rules, and collect a report through here, so the three always agree.
public enum DoctorRun {
    /// What HAProxy's packages install and its unit file reads, used when no file is named.
    public static let defaultConfig = "/etc/haproxy/haproxy.cfg"

    /// The configuration as read: parsed (nil when none was named or it is unreadable), its files in order, and the
    /// finding that says why it could not be read.
    public struct ConfigReading: Sendable {
        public var config: ParsedConfig?
        public var files: [String]
        public var findings: [DoctorFinding]

        public init(config: ParsedConfig? = nil, files: [String] = [], findings: [DoctorFinding] = []) {
            self.config = config
            self.files = files
            self.findings = findings
        }
    }

    /// The paths given, or ``defaultConfig`` when none was given and it exists (none at all otherwise).
    public static func configPaths(_ given: [String]) -> [String] {
        if !given.isEmpty { return given }
        return access(defaultConfig, F_OK) == 0 ? [defaultConfig] : []
    }

    /// Reads and parses `paths` (files and directories, as `haproxy -f`). An unreadable path is a finding of
    /// severity unknown, never a thrown error: the live rules still run.
    ///
    /// - Parameter option: the command's option that names the files, for the fix line (`-f`, `--doctor-config`).
    public static func readConfig(
        _ paths: [String], environment: [String: String], haproxyVersion: String? = nil, option: String
    ) -> ConfigReading {
        guard !paths.isEmpty else { return ConfigReading() }
        do {
            let sources = try ConfigFileLoader.load(paths)
            let reader = ConfigReader(environment: environment, haproxyVersion: haproxyVersion)
            return ConfigReading(config: reader.read(sources), files: sources.map(\.path))
        } catch {
            return ConfigReading(findings: [
                DoctorFinding(
                    code: DoctorCode.configUnreadable, severity: .unknown, message: error.description,
                    fix: "give \(option) a readable file or directory")
            ])
        }
    }

    /// The file rules and the live rules of every instance. Backends holding tunnels on any instance count as
    /// WebSocket backends for the file rules too.
    public static func findings(
        config: ParsedConfig?, facts: [DoctorLiveFacts], context: DoctorContext
    ) -> [DoctorFinding] {
        var context = context
        for fact in facts { context.liveTunnelBackends.formUnion(fact.tunnelBackends) }
        var findings: [DoctorFinding] = []
        if let config { findings += ConfigRules.evaluate(config, context: context) }
        for fact in facts { findings += LiveRules.evaluate(fact, config: config, context: context) }
        return findings
    }

    /// The doctor on what a monitor already read (`haws status --doctor`, `haws top`): the file rules and the live
    /// rules on the snapshots and probe results, with no `haproxy -c` and no extra command to HAProxy. Instances
    /// that could not be read are left out: the caller reports them.
    ///
    /// - Parameter probes: the last probe result of each server, by instance; nil when nothing probes.
    public static func report(
        snapshots: [InstanceSnapshot], probes: [String: [ServerKey: StatusReport.ProbeEntry]]?, configs: [String],
        environment: [String: String], option: String
    ) -> DoctorReport {
        let reading = readConfig(configPaths(configs), environment: environment, option: option)
        let facts = snapshots.map { snapshot in
            DoctorLiveFacts(instance: snapshot.instance, snapshot: snapshot, probes: probes?[snapshot.instance])
        }
        let context = DoctorContext(fileDescriptorLimit: fileDescriptorLimit())
        return DoctorReport(
            files: reading.files, instances: facts.map(\.instance), haproxyCheck: .init(ran: false),
            findings: reading.findings + findings(config: reading.config, facts: facts, context: context))
    }

    /// The hard limit on open files: HAProxy started here can raise its own limit up to it.
    public static func fileDescriptorLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Darwin)
            let resource = RLIMIT_NOFILE
        #else
            let resource = Int32(RLIMIT_NOFILE.rawValue)
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_max < rlim_t(Int32.max) else { return nil }
        return Int(limit.rlim_max)
    }
}
