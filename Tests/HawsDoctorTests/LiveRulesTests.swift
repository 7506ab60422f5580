import HawsCore
import HawsDoctor
import Testing

/// The live rules on snapshots built from HAProxy's own formats (`show stat` CSV, `show info`).
@Suite struct LiveRulesTests {
    static let csv = """
        # pxname,svname,qcur,qmax,scur,smax,slim,stot,status,type
        fe,FRONTEND,,,105,105,4000,200,OPEN,0
        ws,ws1,0,0,5,5,,10,UP,2
        ws,ws2,3,3,100,100,100,150,UP,2
        ws,BACKEND,0,3,105,105,,160,UP,1

        """

    func snapshot(info: String = "Maxconn: 4000\nCurrConns: 105\n") throws -> InstanceSnapshot {
        InstanceSnapshot(instance: "lb", info: InfoParser.parse(info), stats: try StatsCSVParser.parse(Self.csv))
    }

    let config = parse("""
        global
            maxconn 4000
        defaults
            mode http
            timeout tunnel 1h
        backend ws
            server ws1 10.0.0.1:80 check
            server ws2 10.0.0.2:80 check
        """)

    @Test func unreachableIsUnknown() {
        let found = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", unreachable: "connection refused"), config: config)
        #expect(found.map(\.code) == [DoctorCode.instanceUnreachable])
        #expect(found.first?.severity == .unknown)
    }

    @Test func aQuietInstanceMatchingItsFileHasNoFindings() throws {
        var snapshot = try snapshot()
        snapshot.serverTunnels = [:]
        let found = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot, oldWorkers: []), config: config)
        #expect(found.map(\.code) == [DoctorCode.serverQueue], "\(found.map(\.message))")
    }

    @Test func oldWorkersWarnAndAreCriticalPastHardStopAfter() throws {
        let facts = DoctorLiveFacts(
            instance: "lb", snapshot: try snapshot(),
            oldWorkers: [.init(pid: 42, ageSeconds: 7_200, tunnels: 3)])
        let warning = try #require(LiveRules.evaluate(facts, config: config).first { $0.code == DoctorCode.oldWorkers })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("42") && warning.message.contains("2h") && warning.message.contains("3 tunnels"))
        let bounded = parse("global\n    hard-stop-after 30m\nbackend ws\n    server ws1 10.0.0.1:80\n    server ws2 10.0.0.2:80\n")
        let critical = try #require(LiveRules.evaluate(facts, config: bounded).first { $0.code == DoctorCode.oldWorkers })
        #expect(critical.severity == .critical)
        let young = DoctorLiveFacts(instance: "lb", snapshot: try snapshot(), oldWorkers: [.init(pid: 42, ageSeconds: 60, tunnels: 3)])
        #expect(LiveRules.evaluate(young, config: bounded).first { $0.code == DoctorCode.oldWorkers }?.severity == .warning)
    }

    /// `haws status` and `haws top` know old workers only from the snapshot's counts (no `show proc` ages).
    @Test func oldWorkerTunnelsCountedInTheSnapshotWarn() throws {
        var snapshot = try snapshot()
        snapshot.oldWorkerTunnels = [ServerKey(backend: "ws", server: "ws1"): TunnelTally(count: 3)]
        let found = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot), config: config)
        let old = try #require(found.first { $0.code == DoctorCode.oldWorkers })
        #expect(old.severity == .warning && old.message.contains("3 tunnels") && old.fix?.contains("hard-stop-after") == true)
        snapshot.oldWorkersUnread = ["@!42 show sess all: timeout"]
        let partial = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot), config: config)
        #expect(partial.first { $0.code == DoctorCode.oldWorkers }?.message.contains("at least 3 tunnels") == true)

        snapshot.oldWorkerTunnels = [ServerKey(backend: "ws", server: "ws1"): TunnelTally(count: 0)]
        snapshot.oldWorkersUnread = []
        let none = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot), config: config)
        #expect(!none.contains { $0.code == DoctorCode.oldWorkers }, "old workers holding nothing are about to exit")
        // `show proc` read (haws doctor): its per-worker findings replace the count.
        snapshot.oldWorkerTunnels = [ServerKey(backend: "ws", server: "ws1"): TunnelTally(count: 3)]
        let read = LiveRules.evaluate(
            DoctorLiveFacts(instance: "lb", snapshot: snapshot, oldWorkers: [.init(pid: 7, ageSeconds: 5, tunnels: 3)]),
            config: config)
        #expect(read.filter { $0.code == DoctorCode.oldWorkers }.map(\.message).allSatisfy { $0.contains("old worker 7") })
    }

    @Test func probeFailuresOnUpServers() throws {
        let failed = StatusReport.ProbeEntry(verdict: .failed, failureCode: "unexpected_status", headline: "HTTP 200, not 101")
        let passed = StatusReport.ProbeEntry(verdict: .passed)
        let one = DoctorLiveFacts(
            instance: "lb", snapshot: try snapshot(),
            probes: [ServerKey(backend: "ws", server: "ws1"): failed, ServerKey(backend: "ws", server: "ws2"): passed])
        let found = LiveRules.evaluate(one, config: config).filter { $0.code == DoctorCode.probeFailedWhileUp }
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.line == 7)  // the server line
        let all = DoctorLiveFacts(
            instance: "lb", snapshot: try snapshot(),
            probes: [ServerKey(backend: "ws", server: "ws1"): failed, ServerKey(backend: "ws", server: "ws2"): failed])
        let severities = LiveRules.evaluate(all, config: config).filter { $0.code == DoctorCode.probeFailedWhileUp }.map(\.severity)
        #expect(severities.sorted() == [.warning, .warning, .critical])
    }

    @Test func connectionsAgainstMaxconnAndALoweredMaxconn() throws {
        let full = DoctorLiveFacts(instance: "lb", snapshot: try snapshot(info: "Maxconn: 100\nCurrConns: 96\nUlimit-n: 250\n"))
        let found = LiveRules.evaluate(full, config: config)
        #expect(found.first { $0.code == DoctorCode.connectionsNearMaxconn }?.severity == .critical)
        let lowered = try #require(found.first { $0.code == DoctorCode.maxconnLowered })
        #expect(lowered.message.contains("4000") && lowered.message.contains("100") && lowered.message.contains("250"))
        let eighty = DoctorLiveFacts(instance: "lb", snapshot: try snapshot(info: "Maxconn: 100\nCurrConns: 85\n"))
        #expect(LiveRules.evaluate(eighty, config: nil).first { $0.code == DoctorCode.connectionsNearMaxconn }?.severity == .warning)
    }

    @Test func theFileAndTheInstanceDisagree() throws {
        let other = parse("""
            backend ws
                server ws1 10.0.0.1:80 check
                server ws3 10.0.0.3:80 check
            backend gone
                server g 10.0.0.9:80
            """)
        let found = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: try snapshot()), config: other)
            .filter { $0.code == DoctorCode.liveConfigMismatch }
        #expect(found.count == 2)
        #expect(found.contains { $0.message.contains("in the file only: ws3") && $0.message.contains("running only: ws2") })
        #expect(found.contains { $0.proxy == "gone" })
    }

    /// Only queued servers of WebSocket backends: a queue on a plain HTTP backend is not the tunnels' doing.
    @Test func serverQueueOnlyWhenAWebSocketServerQueues() throws {
        let queued = try #require(aQuietInstanceFindings().first { $0.code == DoctorCode.serverQueue })
        #expect(queued.severity == .warning && queued.message.contains("ws/ws2 has 3 request(s) queued"))
        let idle = Self.csv.replacingOccurrences(of: "ws,ws2,3,3,", with: "ws,ws2,0,3,")
        let calm = InstanceSnapshot(instance: "lb", stats: try StatsCSVParser.parse(idle))
        #expect(!LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: calm), config: config)
            .contains { $0.code == DoctorCode.serverQueue })
        let api = Self.csv.replacingOccurrences(of: "ws,", with: "api,")
        let plain = InstanceSnapshot(instance: "lb", stats: try StatsCSVParser.parse(api))
        let apiConfig = parse("backend api\n    server ws1 10.0.0.1:80 check\n    server ws2 10.0.0.2:80 check\n")
        #expect(!LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: plain), config: apiConfig)
            .contains { $0.code == DoctorCode.serverQueue })
    }

    func aQuietInstanceFindings() throws -> [DoctorFinding] {
        var snapshot = try snapshot()
        snapshot.serverTunnels = [:]
        return LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot, oldWorkers: []), config: config)
    }

    @Test func tunnelsOlderThanTimeoutTunnel() throws {
        var snapshot = try snapshot()
        snapshot.serverTunnels = [ServerKey(backend: "ws", server: "ws1"): TunnelTally(count: 2, oldestSeconds: 5_400)]
        let found = LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot), config: config)
        let old = try #require(found.first { $0.code == DoctorCode.tunnelOlderThanTimeout })
        #expect(old.severity == .info && old.message.contains("1h30m"))
        snapshot.serverTunnels = [ServerKey(backend: "ws", server: "ws1"): TunnelTally(count: 2, oldestSeconds: 60)]
        #expect(!LiveRules.evaluate(DoctorLiveFacts(instance: "lb", snapshot: snapshot), config: config)
            .contains { $0.code == DoctorCode.tunnelOlderThanTimeout })
    }

    @Test func haproxyCheckOutputBecomesFindingsWithLines() {
        let output = """
            [NOTICE]   (1529) : haproxy version is 2.6.12-1+deb12u4
            [ALERT]    (1529) : config : parsing [haproxy.cfg:2] : unknown keyword 'foo' in 'global' section
            [ALERT]    (1529) : config : Error(s) found in configuration file : haproxy.cfg
            [ALERT]    (1529) : config : Fatal errors found in configuration.
            [ALERT]    (1532) : config : [haproxy.cfg:8] : 'server ws/ws2' : could not resolve address 'nowhere'.
            [WARNING]  (1532) : config : missing timeouts for backend 'ws'.
               | While not properly invalid, you will certainly encounter various problems
               | with such a configuration.
            """
        let found = HAProxyCheckOutput.findings(output, config: config)
        #expect(found.map(\.code) == [DoctorCode.haproxyAlert, DoctorCode.haproxyAlert, DoctorCode.haproxyWarning])
        #expect(found[0].line == 2 && found[0].severity == .critical)
        #expect(found[0].message == "haproxy -c: unknown keyword 'foo' in 'global' section")
        #expect(found[1].line == 8 && found[1].message.hasPrefix("haproxy -c: 'server ws/ws2'"))
        #expect(found[2].line == 6 && found[2].proxy == "ws" && found[2].section == "backend ws")
        #expect(found[2].message.hasSuffix("various problems with such a configuration."))
    }
}
