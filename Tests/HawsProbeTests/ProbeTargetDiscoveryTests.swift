import HawsCore
import Testing

@testable import HawsProbe

/// Discovery is pure: a snapshot (CSV rows, `show servers state`) and settings in, targets or reasons out.
@Suite("ProbeTargetDiscovery")
struct ProbeTargetDiscoveryTests {
    static let header = "# pxname,svname,type,status,scur,weight,check_status,addr,\n"

    func snapshot(_ rows: String, states: String? = nil) throws -> InstanceSnapshot {
        var snapshot = InstanceSnapshot(instance: "edge-1", stats: try StatsCSVParser.parse(Self.header + rows))
        if let states {
            let records = ServersStateParser.parse(states).records
            snapshot.serverStates = Dictionary(uniqueKeysWithValues: records.map { ($0.key, $0) })
        }
        return snapshot
    }

    func plan(_ snapshot: InstanceSnapshot, _ settings: ProbeSettings = ProbeSettings()) -> [String: PlannedProbe] {
        let entries = ProbeTargetDiscovery.plan(for: snapshot, settings: settings).entries
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.key.object, $0) })
    }

    @Test("one target per server, from addr, with the backend's path, Host, subprotocols and TLS")
    func addresses() throws {
        let rows = """
            ws_chat,s1,2,UP,0,1,L7OK,10.0.0.1:8080,
            ws_chat,s2,2,DOWN,0,1,L4CON,[2001:db8::2]:8443,
            ws_chat,BACKEND,1,UP,0,1,,,
            ws_feed,f1,2,UP,0,1,L7OK,10.0.0.3:9000,
            ws_feed,BACKEND,1,UP,0,1,,,

            """
        var settings = ProbeSettings()
        settings.backends["ws_chat"] = BackendProbeSettings(
            path: "/chat?v=2",
            hostHeader: "chat.example.com",
            origin: "https://chat.example.com",
            tls: true,
            subprotocols: ["chat.v1"],
            headers: [ProbeHeader(name: "X-Probe", value: "haws")]
        )
        settings.defaults.path = "/ws"
        let plan = self.plan(try self.snapshot(rows), settings)
        #expect(plan.count == 3)

        let s1 = try #require(plan["ws_chat/s1"]?.target)
        #expect(s1.url == "wss://10.0.0.1:8080/chat?v=2")
        #expect(s1.effectiveHostHeader == "chat.example.com")
        #expect(s1.effectiveServerName == "chat.example.com")  // SNI from Host, not the IP
        #expect(s1.origin == "https://chat.example.com")
        #expect(s1.subprotocols == ["chat.v1"])
        #expect(s1.headers == [ProbeHeader(name: "X-Probe", value: "haws")])
        #expect(plan["ws_chat/s1"]?.key == .server(ServerKey(backend: "ws_chat", server: "s1"), instance: "edge-1"))

        // A DOWN server is probed all the same: the probe says why (refused, timeout, ...).
        let s2 = try #require(plan["ws_chat/s2"]?.target)
        #expect(s2.host == "2001:db8::2")
        #expect(s2.port == 8443)
        #expect(s2.url == "wss://[2001:db8::2]:8443/chat?v=2")

        // A backend without its own table gets the defaults.
        let f1 = try #require(plan["ws_feed/f1"]?.target)
        #expect(f1.url == "ws://10.0.0.3:9000/ws")
        #expect(f1.hostHeader == nil)
        #expect(plan["ws_feed/f1"]?.mode == .full)

        // The servers of one backend share their request's box; a target by address alone has none.
        let s1Request = try #require(s1.request)
        #expect(s1Request === s2.request)
        #expect(f1.request == nil)
    }

    @Test("port 0, mapped ports, missing and unresolved addresses and Unix sockets are listed with a reason")
    func notProbeable() throws {
        let rows = """
            be,zero,2,UP,0,1,L4OK,127.0.0.1:0,
            be,minus,2,UP,0,1,L4OK,127.0.0.1:-5,
            be,plus,2,UP,0,1,L4OK,127.0.0.1:+1000,
            be,unix,2,UP,0,1,L4OK,unix,
            be,unresolved,2,UP,0,1,L4OK,0.0.0.0:8080,
            be,fine,2,UP,0,1,L4OK,127.0.0.1:8080,
            be,BACKEND,1,UP,0,1,,,

            """
        let plan = self.plan(try self.snapshot(rows))
        #expect(plan.count == 6)
        #expect(plan["be/fine"]?.target?.port == 8080)
        let zero = try #require(plan["be/zero"]?.notProbeableReason)
        #expect(zero.hasPrefix("port 0: HAProxy connects to whatever port the client connected to"))
        #expect(zero.contains("set `port` in [probes.backend.be]"))
        #expect(plan["be/minus"]?.notProbeableReason?.hasPrefix("mapped port (-5)") == true)
        #expect(plan["be/plus"]?.notProbeableReason?.hasPrefix("mapped port (+1000)") == true)
        #expect(plan["be/unix"]?.notProbeableReason?.contains("not a TCP address") == true)
        #expect(plan["be/unresolved"]?.notProbeableReason?.hasPrefix("address not resolved yet") == true)
    }

    @Test("a level user socket hides addr: show servers state gives it, port 0 and -N (as 2^32-N) included")
    func serversState() throws {
        let rows = """
            be,a,2,UP,0,1,L4OK,,
            be,b,2,UP,0,1,L4OK,,
            be,c,2,UP,0,1,L4OK,,
            be,d,2,UP,0,1,L4OK,,
            be,BACKEND,1,UP,0,1,,,

            """
        // Captured from HAProxy 2.6.12: `server c 127.0.0.1:-5` shows srv_port 4294967291.
        let states = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
            3 be 1 a 10.0.0.1 2 0 1 1 1 1 0 2 0 0 0 0 - 8080 - 0 0 - - 0
            3 be 2 b 10.0.0.2 2 0 1 1 1 1 0 2 0 0 0 0 - 0 - 0 0 - - 0
            3 be 3 c 10.0.0.3 2 0 1 1 1 1 0 2 0 0 0 0 - 4294967291 - 0 0 - - 0

            """
        let plan = self.plan(try self.snapshot(rows, states: states))
        #expect(plan["be/a"]?.target?.url == "ws://10.0.0.1:8080/")
        #expect(plan["be/b"]?.notProbeableReason?.hasPrefix("port 0") == true)
        #expect(plan["be/c"]?.notProbeableReason?.hasPrefix("mapped port (-5)") == true)
        #expect(plan["be/d"]?.notProbeableReason?.hasPrefix("HAProxy gave no address") == true)
    }

    @Test("a per-backend port makes port-0 and mapped-port servers probeable on that port")
    func portOverride() throws {
        let rows = """
            be,zero,2,UP,0,1,L4OK,10.0.0.1:0,
            be,minus,2,UP,0,1,L4OK,10.0.0.2:-5,
            be,fixed,2,UP,0,1,L4OK,10.0.0.3:8080,
            be,BACKEND,1,UP,0,1,,,

            """
        var settings = ProbeSettings()
        settings.backends["be"] = BackendProbeSettings(port: 9443)
        let plan = self.plan(try self.snapshot(rows), settings)
        #expect(plan["be/zero"]?.target?.url == "ws://10.0.0.1:9443/")
        #expect(plan["be/minus"]?.target?.url == "ws://10.0.0.2:9443/")
        #expect(plan["be/fixed"]?.target?.url == "ws://10.0.0.3:9443/")
    }

    @Test("MAINT, disabled backends and backends outside the allow-list are listed, not probed")
    func excluded() throws {
        let rows = """
            ws,m1,2,MAINT,0,1,,10.0.0.1:80,
            ws,m2,2,UP,0,1,L7OK,10.0.0.2:80,
            ws,BACKEND,1,UP,0,1,,,
            api,a1,2,UP,0,1,L7OK,10.0.0.3:80,
            api,BACKEND,1,UP,0,1,,,
            static,x1,2,UP,0,1,L7OK,10.0.0.4:80,
            static,BACKEND,1,UP,0,1,,,

            """
        var settings = ProbeSettings()
        settings.backends["api"] = BackendProbeSettings(enabled: false)
        var plan = self.plan(try self.snapshot(rows), settings)
        #expect(plan["ws/m1"]?.notProbeableReason?.hasPrefix("in MAINT") == true)
        #expect(plan["ws/m2"]?.target != nil)
        #expect(plan["api/a1"]?.notProbeableReason == "probes are disabled for api ([probes.backend.api] enabled = false)")
        #expect(plan["static/x1"]?.target != nil)

        settings.onlyBackends = ["ws"]
        plan = self.plan(try self.snapshot(rows), settings)
        #expect(plan["static/x1"]?.notProbeableReason == "backend static is not listed in [probes] backends")
        #expect(plan["ws/m2"]?.target != nil)
    }

    @Test("a per-backend mode overrides the global one")
    func modes() throws {
        let rows = "a,s,2,UP,0,1,L7OK,10.0.0.1:80,\na,BACKEND,1,UP,0,1,,,\nb,s,2,UP,0,1,L7OK,10.0.0.2:80,\nb,BACKEND,1,UP,0,1,,,\n"
        var settings = ProbeSettings(options: ProbeOptions(mode: .connectOnly))
        settings.backends["b"] = BackendProbeSettings(mode: .full)
        let plan = self.plan(try self.snapshot(rows), settings)
        #expect(plan["a/s"]?.mode == .connectOnly)
        #expect(plan["b/s"]?.mode == .full)
    }

    @Test("an unreachable instance is marked unavailable; frontends are keyed by URL under an instance")
    func readingsAndFrontends() throws {
        let plan = ProbeTargetDiscovery.plan(
            for: .unreachable(instance: "edge-2", error: "refused"),
            settings: ProbeSettings()
        )
        #expect(plan.entries.isEmpty)
        #expect(plan.unavailableInstances == ["edge-2"])

        let settings = ProbeSettings(frontends: [try ProbeTarget(url: "ws://127.0.0.1:8080/chat")])
        let frontends = ProbeTargetDiscovery.frontendPlan(settings, instance: "edge-1")
        #expect(frontends.entries.map(\.key.object) == ["frontend ws://127.0.0.1:8080/chat"])
        #expect(frontends.entries.first?.key.isFrontend == true)

        let rows = "be,s1,2,UP,0,1,L7OK,10.0.0.1:80,\nbe,BACKEND,1,UP,0,1,,,\n"
        let whole = ProbeTargetDiscovery.plan(
            for: [.read(try self.snapshot(rows)), .unreachable(instance: "edge-2", error: "refused")],
            settings: settings,
            frontendInstance: "edge-1"
        )
        #expect(whole.entries.map(\.key.description) == ["edge-1 be/s1", "edge-1 frontend ws://127.0.0.1:8080/chat"])
        #expect(whole.unavailableInstances == ["edge-2"])
        #expect(whole.probeable.count == 2)
    }

    @Test("address parsing")
    func parsing() {
        typealias D = ProbeTargetDiscovery
        #expect((try? D.parse("10.0.0.1:80").get()) == D.Endpoint(host: "10.0.0.1", port: 80))
        #expect((try? D.parse("[::1]:80").get()) == D.Endpoint(host: "::1", port: 80))
        #expect((try? D.parse(" 10.0.0.1:80 ").get()) == D.Endpoint(host: "10.0.0.1", port: 80))
        for bad in ["::1:80", "10.0.0.1:http", "10.0.0.1:70000", "[::1]80", ":80"] {
            guard case .failure(let problem) = D.parse(bad), case .malformed = problem.kind else {
                Issue.record("\(bad) should be malformed")
                continue
            }
        }
        #expect(BackendProbeSettings.serverName(forHostHeader: "chat.example.com:8443") == "chat.example.com")
        #expect(BackendProbeSettings.serverName(forHostHeader: "[::1]:80") == "::1")
        #expect(BackendProbeSettings.serverName(forHostHeader: "chat.example.com") == "chat.example.com")
    }
}
