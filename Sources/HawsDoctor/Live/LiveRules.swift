import HawsCore

/// What haws read from one running instance for the doctor: the snapshot (`show info`, `show stat`,
/// `show sess all`), the old workers of the master (`show proc`), and a probe per server.
public struct DoctorLiveFacts: Sendable {
    /// A worker from before a reload that is still alive.
    public struct OldWorker: Sendable, Hashable {
        public var pid: Int
        public var ageSeconds: Int?
        /// Tunnels it holds (`@!PID show sess all`); nil when that could not be read.
        public var tunnels: Int?

        public init(pid: Int, ageSeconds: Int?, tunnels: Int?) {
            self.pid = pid
            self.ageSeconds = ageSeconds
            self.tunnels = tunnels
        }
    }

    public var instance: String
    /// nil when the instance could not be read (``unreachable`` says why).
    public var snapshot: InstanceSnapshot?
    public var unreachable: String?
    /// nil without a master socket: old workers are not knowable.
    public var oldWorkers: [OldWorker]?
    /// One probe per server; nil when probes were not run.
    public var probes: [ServerKey: StatusReport.ProbeEntry]?

    public init(
        instance: String, snapshot: InstanceSnapshot? = nil, unreachable: String? = nil, oldWorkers: [OldWorker]? = nil,
        probes: [ServerKey: StatusReport.ProbeEntry]? = nil
    ) {
        self.instance = instance
        self.snapshot = snapshot
        self.unreachable = unreachable
        self.oldWorkers = oldWorkers
        self.probes = probes
    }

    /// Backends holding tunnels now: they serve WebSockets whatever their name.
    public var tunnelBackends: Set<String> {
        guard let snapshot else { return [] }
        return Set(snapshot.backends.filter { (snapshot.tunnels(of: $0) ?? 0) > 0 }.map(\.name))
    }
}

/// The rules on a live instance, cross-checked with the configuration file when there is one. Pure.
public enum LiveRules {
    public static let connectionsWarningPercent = 80.0
    public static let connectionsCriticalPercent = 95.0

    public static func evaluate(
        _ facts: DoctorLiveFacts, config: ParsedConfig?, context: DoctorContext = DoctorContext()
    ) -> [DoctorFinding] {
        let instance = facts.instance
        guard let snapshot = facts.snapshot else {
            return [DoctorFinding(
                code: DoctorCode.instanceUnreachable, severity: .unknown, instance: instance,
                message: "cannot read the instance: \(facts.unreachable ?? "no answer"); live checks skipped",
                fix: "check --socket / --master-socket / --stats-url and the socket's permissions")]
        }
        let parsed = config ?? ParsedConfig()
        var live = context
        live.liveTunnelBackends.formUnion(facts.tunnelBackends)
        var websocket = WebSocketBackends.detect(in: parsed, explicit: context.websocketBackends, liveTunnels: live.liveTunnelBackends)
        if config == nil {
            for name in facts.tunnelBackends { websocket[name] = "it holds WebSocket tunnels now" }
        }
        var findings: [DoctorFinding] = []
        findings += oldWorkers(facts, config: parsed)
        findings += probes(facts, snapshot: snapshot, config: parsed)
        findings += tunnelAges(snapshot, instance: instance, websocket: websocket, config: parsed)
        findings += capacity(snapshot, instance: instance, websocket: websocket, config: config)
        if let config { findings += mismatch(snapshot, instance: instance, config: config) }
        return findings
    }

    static func age(_ seconds: Int?) -> String {
        seconds.map { HAProxyDuration.text(milliseconds: $0 * 1000) } ?? "unknown age"
    }

    static func oldWorkers(_ facts: DoctorLiveFacts, config: ParsedConfig) -> [DoctorFinding] {
        let hardStop = config.globalDirective("hard-stop-after")
        guard let workers = facts.oldWorkers else { return counted(facts, hardStop: hardStop, config: config) }
        guard !workers.isEmpty else { return [] }
        let limit = hardStop.flatMap { $0.words.count > 1 ? HAProxyDuration.milliseconds($0.words[1]) : nil }
        return workers.map { worker in
            let tunnels = worker.tunnels.map { "\($0) tunnel\($0 == 1 ? "" : "s")" } ?? "an unknown number of tunnels"
            var message = "old worker \(worker.pid), up \(age(worker.ageSeconds)), still holds \(tunnels) after a reload"
            var severity = DoctorSeverity.warning
            if let limit, limit > 0, let seconds = worker.ageSeconds, seconds * 1000 > limit + 60_000 {
                severity = .critical
                message += ": older than hard-stop-after \(HAProxyDuration.text(milliseconds: limit)), it should be gone"
            } else if hardStop == nil {
                message += ": without hard-stop-after it lives until its last tunnel closes"
            }
            return DoctorFinding(
                code: DoctorCode.oldWorkers, severity: severity, at: hardStop?.location ?? config.globalLocation,
                section: "global", instance: facts.instance, message: message,
                fix: hardStop == nil ? "add `hard-stop-after \(ConfigRules.suggestedHardStop)` to `global`" : nil)
        }
    }

    /// Old workers as a monitor's snapshot counts them (`haws status`, `haws top`: the tunnels of every old worker,
    /// without `show proc`'s pids and ages): one finding for all of them, never critical (their age is unknown).
    static func counted(_ facts: DoctorLiveFacts, hardStop: ConfigDirective?, config: ParsedConfig) -> [DoctorFinding] {
        guard let snapshot = facts.snapshot, snapshot.oldWorkerTunnels != nil else { return [] }
        let total = snapshot.oldWorkerTunnelTotal
        let partial = snapshot.oldWorkerTunnelsArePartial
        guard total > 0 else { return [] }
        let tunnels = "\(partial ? "at least " : "")\(total) tunnel\(total == 1 ? "" : "s")"
        var message = "old workers still hold \(tunnels) after a reload"
        if hardStop == nil { message += ": without hard-stop-after they live until their last tunnel closes" }
        return [DoctorFinding(
            code: DoctorCode.oldWorkers, severity: .warning, at: hardStop?.location ?? config.globalLocation,
            section: "global", instance: facts.instance, message: message,
            fix: hardStop == nil ? "add `hard-stop-after \(ConfigRules.suggestedHardStop)` to `global`" : nil)]
    }

    static func probes(_ facts: DoctorLiveFacts, snapshot: InstanceSnapshot, config: ParsedConfig) -> [DoctorFinding] {
        guard let probes = facts.probes else { return [] }
        var findings: [DoctorFinding] = []
        for backend in snapshot.backends {
            let section = config.proxy(named: backend.name)
            var upCount = 0
            var failedUp = 0
            for server in backend.servers where server.status.isAlive {
                guard let probe = probes[server.key], probe.verdict != .notProbeable else { continue }
                upCount += 1
                guard probe.verdict == .failed else { continue }
                failedUp += 1
                let why = [probe.failureCode, probe.headline ?? probe.message].compactMap { $0 }.joined(separator: ": ")
                let line = section?.servers.first { $0.words.count > 1 && $0.words[1] == server.name }?.location
                findings.append(DoctorFinding(
                    code: DoctorCode.probeFailedWhileUp, severity: .warning, at: line ?? section?.location,
                    section: "backend \(backend.name)", proxy: backend.name, instance: facts.instance,
                    message: "\(server.key) is \(server.status.raw) for HAProxy but a WebSocket handshake fails (\(why))",
                    fix: "make the health check test the upgrade (haws doctor --explain check-no-upgrade) and fix the server"))
            }
            if upCount > 0, failedUp == upCount {
                findings.append(DoctorFinding(
                    code: DoctorCode.probeFailedWhileUp, severity: .critical, at: section?.location,
                    section: "backend \(backend.name)", proxy: backend.name, instance: facts.instance,
                    message: "no server of \(backend.name) that HAProxy calls UP completes a WebSocket handshake: every upgrade there fails",
                    fix: "fix the servers; make the health check expect 101"))
            }
        }
        return findings
    }

    static func tunnelAges(
        _ snapshot: InstanceSnapshot, instance: String, websocket: [String: String], config: ParsedConfig
    ) -> [DoctorFinding] {
        guard let tallies = snapshot.serverTunnels else { return [] }
        var findings: [DoctorFinding] = []
        for backend in snapshot.backends {
            let oldest = backend.servers.compactMap { tallies[$0.key]?.oldestSeconds }.max()
            guard let oldest, let section = config.proxy(named: backend.name),
                let tunnel = section.timeout("tunnel"), let limit = tunnel.milliseconds, limit > 0, oldest * 1000 > limit
            else { continue }
            findings.append(DoctorFinding(
                code: DoctorCode.tunnelOlderThanTimeout, severity: .info, at: tunnel.directive.location,
                section: section.sectionLabel, proxy: backend.name, instance: instance,
                message: "the oldest tunnel of \(backend.name) is \(age(oldest)) old, past timeout tunnel "
                    + "\(HAProxyDuration.text(milliseconds: limit)) (an idle timeout): tunnels with traffic live on, and a reload waits for them",
                fix: nil))
        }
        return findings
    }

    static func capacity(
        _ snapshot: InstanceSnapshot, instance: String, websocket: [String: String], config: ParsedConfig?
    ) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        if let info = snapshot.info, let current = info.currentConnections, let maximum = info.maxConnections, maximum > 0 {
            let percent = Double(current) * 100 / Double(maximum)
            if percent >= connectionsWarningPercent {
                let severity: DoctorSeverity = percent >= connectionsCriticalPercent ? .critical : .warning
                findings.append(DoctorFinding(
                    code: DoctorCode.connectionsNearMaxconn, severity: severity,
                    at: config?.globalDirective("maxconn")?.location, section: "global", instance: instance,
                    message: "\(current) connections of maxconn \(maximum) (\(Int(percent)) %): new upgrades will wait",
                    fix: "raise global maxconn (and the fd limit), or add capacity"))
            }
            if let directive = config?.globalDirective("maxconn"), directive.words.count > 1,
                let configured = Int(directive.words[1]), configured > maximum
            {
                let ulimit = info.fields["Ulimit-n"].map { " (Ulimit-n \($0))" } ?? ""
                findings.append(DoctorFinding(
                    code: DoctorCode.maxconnLowered, severity: .warning, at: directive.location, section: "global",
                    instance: instance,
                    message: "the file asks maxconn \(configured), HAProxy runs with \(maximum)\(ulimit): it lowered it to fit its file descriptors",
                    fix: "raise the fd limit (LimitNOFILE=) or write `maxconn \(maximum)`"))
            }
        }
        for backend in snapshot.backends where websocket[backend.name] != nil {
            for server in backend.servers where server.queue > 0 {
                findings.append(DoctorFinding(
                    code: DoctorCode.serverQueue, severity: .warning,
                    at: config?.proxy(named: backend.name)?.location, section: "backend \(backend.name)", proxy: backend.name,
                    instance: instance,
                    message: "\(server.key) has \(server.queue) request(s) queued with \(server.sessions) sessions of maxconn "
                        + "\(server.sessionLimit.map(String.init) ?? "?"): its slots are held by tunnels",
                    fix: "raise the server's maxconn or add servers (haws doctor --explain server-maxconn-queue)"))
            }
        }
        return findings
    }

    static func mismatch(_ snapshot: InstanceSnapshot, instance: String, config: ParsedConfig) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let fileBackends = Dictionary(
            config.proxies.filter { $0.kind != .frontend }.compactMap { proxy in proxy.name.map { ($0, proxy) } },
            uniquingKeysWith: { a, _ in a })
        let liveNames = Set(snapshot.backends.map(\.name))
        for backend in snapshot.backends {
            guard let section = fileBackends[backend.name] else {
                findings.append(DoctorFinding(
                    code: DoctorCode.liveConfigMismatch, severity: .warning, instance: instance,
                    message: "backend \(backend.name) runs in the instance but is not in the file: the file is not what runs",
                    fix: "reload HAProxy after checking the file, or point -f at the running configuration"))
                continue
            }
            let fileServers = Set(section.servers.compactMap { $0.words.count > 1 ? $0.words[1] : nil })
            let liveServers = Set(backend.servers.map(\.name))
            // `server-template` and dynamic servers make the live list longer than the file's: only missing ones count.
            let missing = fileServers.subtracting(liveServers).sorted()
            let templated = section.own.contains { $0.keyword == "server-template" }
            let extra = templated ? [] : liveServers.subtracting(fileServers).sorted()
            guard !missing.isEmpty || !extra.isEmpty else { continue }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("in the file only: \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("running only: \(extra.joined(separator: ", "))") }
            findings.append(DoctorFinding(
                code: DoctorCode.liveConfigMismatch, severity: .warning, at: section.location, section: section.sectionLabel,
                proxy: backend.name, instance: instance,
                message: "servers of \(backend.name) differ (\(parts.joined(separator: "; "))): the file is not what runs",
                fix: "reload HAProxy after checking the file"))
        }
        for (name, section) in fileBackends.sorted(by: { $0.key < $1.key }) where !liveNames.contains(name) {
            findings.append(DoctorFinding(
                code: DoctorCode.liveConfigMismatch, severity: .warning, at: section.location, section: section.sectionLabel,
                proxy: name, instance: instance,
                message: "\(section.sectionLabel) is in the file but not in the running instance: the file is not what runs",
                fix: "reload HAProxy after checking the file"))
        }
        return findings
    }
}
