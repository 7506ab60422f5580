import Foundation
import HawsCore
import HawsMonitor

@testable import HawsTUI

/// Builds HAProxy data for tests: a stats CSV in HAProxy's column names, parsed by the real parser.
enum Fixture {
    struct ServerRow {
        var name: String
        var status = "UP"
        var weight = 1
        var sessions = 0
        var check = "L7OK"
        var upgrades = 0
        var tunnels: Int? = nil
        var oldest: Int? = nil
        var errors = 0
        var queue = 0
        var address = "127.0.0.1:9000"

        init(
            _ name: String, status: String = "UP", weight: Int = 1, sessions: Int = 0, tunnels: Int? = nil,
            upgrades: Int = 0, oldest: Int? = nil, errors: Int = 0, queue: Int = 0, check: String = "L7OK"
        ) {
            self.name = name
            self.status = status
            self.weight = weight
            self.sessions = sessions
            self.tunnels = tunnels
            self.upgrades = max(upgrades, tunnels ?? 0)  // every open tunnel was an upgrade answered
            self.oldest = oldest
            self.errors = errors
            self.queue = queue
            self.check = check
        }
    }

    static let header =
        "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,addr,last_chk,mode,algo,uweight,"

    /// `show stat` text for backends and servers (and a frontend).
    static func csv(_ backends: [(String, [ServerRow])], frontends: [String] = ["fe_main"]) -> String {
        var lines = [header]
        for frontend in frontends {
            lines.append(
                "\(frontend),FRONTEND,,,12,40,4000,900,1000,2000,0,0,3,,,,,OPEN,,,,,,,,,1,2,0,,,,0,5,0,9,,,,30,800,0,4,1,0,,7,20,900,,,,,http,,,"
            )
        }
        for (backend, servers) in backends {
            for server in servers {
                let cells: [String] = [
                    backend, server.name, "\(server.queue)", "0", "\(server.sessions)", "10", "", "100", "5000", "9000",
                    "", "0", "",
                    "\(server.errors)", "0", "0", "0", server.status, "\(server.weight)", "1", "0", "0", "0", "120",
                    "0", "", "1", "3", "1",
                    "", "100", "", "2", "1", "", "5", server.check, "200", "1", "\(server.upgrades)", "50", "0", "0",
                    "0", "0", "0",
                    "", "", "60", "0", "0", server.address, "HTTP status check returned code <3C>200<3E>", "http", "",
                    "\(server.weight)",
                ]
                lines.append(cells.joined(separator: ",") + ",")
            }
            let sessions = servers.reduce(0) { $0 + $1.sessions }
            let status =
                servers.contains { ServerStatus($0.status).isAlive && ServerStatus($0.status).admin != .maint }
                ? "UP" : "DOWN"
            var backendCells =
                "\(backend),BACKEND,0,0,\(sessions),20,400,300,5000,9000,0,0,,0,0,0,0,\(status),\(servers.count),\(servers.count),0,,0,120,0,,1,3,0,,100,,1,1,,5,,,,0,150,0,0,0,0,,,,180,0,0,,,http,roundrobin,,"
                .split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            // The BACKEND row counts a 101 when its stream ends: its hrsp_1xx is the servers' upgrades minus the
            // tunnels still open, so the counters agree with the tunnels the rows declare.
            let columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
            if let column = columns.firstIndex(of: "hrsp_1xx"), column < backendCells.count {
                let open = servers.reduce(0) { $0 + ($1.tunnels ?? 0) }
                backendCells[column] = String(max(0, servers.reduce(0) { $0 + $1.upgrades } - open))
            }
            lines.append(backendCells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func snapshot(_ backends: [(String, [ServerRow])], instance: String = "demo", perServerTunnels: Bool = true)
        -> InstanceSnapshot
    {
        let stats = try! StatsCSVParser.parse(csv(backends))
        var tunnels: [ServerKey: TunnelTally]? = perServerTunnels ? [:] : nil
        for (backend, servers) in backends {
            for server in servers where perServerTunnels {
                let count = server.tunnels ?? 0
                tunnels?[ServerKey(backend: backend, server: server.name)] = TunnelTally(
                    count: count, oldestSeconds: count > 0 ? (server.oldest ?? 90) : nil,
                    olderThanMinute: count > 0 ? 1 : 0)
            }
        }
        let info = InfoParser.parse(
            "Name: HAProxy\nVersion: 2.6.12\nPid: 4242\nUptime_sec: 3725\nCurrConns: 35\nMaxconn: 4000\nnode: lab\n")
        return InstanceSnapshot(
            instance: instance, info: info, stats: stats, serverTunnels: tunnels,
            serverTunnelsUnavailable: perServerTunnels ? nil : .needsOperator)
    }

    static let demoBackends: [(String, [ServerRow])] = [
        (
            "ws_chat",
            [
                ServerRow("s1", sessions: 4, tunnels: 4, upgrades: 10),
                ServerRow("s2", sessions: 12, tunnels: 11, upgrades: 20),
                ServerRow("s3", status: "DOWN", check: "L4CON"),
            ]
        ),
        ("ws_feed", [ServerRow("f1", status: "DRAIN", sessions: 2, tunnels: 2), ServerRow("f2", status: "MAINT")]),
        ("http_api", [ServerRow("a1", sessions: 1, queue: 2)]),
    ]

    static func live(
        _ snapshot: InstanceSnapshot, name: String = "demo", polledAt: Date, health: InstanceHealth = .reachable
    ) -> LiveInstance {
        var live = LiveInstance(name: name)
        live.snapshot = snapshot
        live.health = health
        live.lastGoodPoll = polledAt
        live.tunnelsReadAt = polledAt
        for (backendIndex, backend) in snapshot.backends.enumerated() {
            live.backendRates[backend.name] = ObjectRates(
                sessions: 1, requests: 2.5, upgrades: 0.5, bytesIn: 1_500, bytesOut: 3_000, errors: 0)
            var ring = RingBuffer<Float>(capacity: 300)
            for value in [1, 3, 5, 8, 6, 4] { ring.append(Float(value)) }
            live.backendTunnelHistory[backend.name] = ring
            for serverIndex in backend.servers.indices {
                live.serverRates[backend: backendIndex, server: serverIndex] = ObjectRates(
                    sessions: 0.5, requests: 1.2, upgrades: 0.2, bytesIn: 100, bytesOut: 200, errors: 0)
            }
        }
        // Every server with the same history as the backends.
        for value in [1, 3, 5, 8, 6, 4] {
            var sample = snapshot
            sample.serverTunnels = [:]
            sample.oldWorkerTunnels = nil
            for backend in snapshot.backends {
                for server in backend.servers { sample.serverTunnels?[server.key] = TunnelTally(count: value) }
            }
            live.serverTunnelHistory.record(sample)
        }
        return live
    }

    static func monitor(_ instances: [LiveInstance], events: [MonitorEvent] = [], generation: Int = 1) -> MonitorState {
        MonitorState(instances: instances, events: events, generation: generation)
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A state showing the demo layout at `size`, with the settings of a normal run.
    static func state(
        size: TerminalSize = TerminalSize(columns: 120, rows: 40), backends: [(String, [ServerRow])] = demoBackends,
        settings: TopSettings = TopSettings(user: "alice", auditLogPath: "/tmp/audit.log"),
        views: [ViewDefinition] = ViewLoader.builtin()
    ) -> TopState {
        var state = TopState(settings: settings, views: views, size: size, now: start)
        let monitor = monitor([live(snapshot(backends), polledAt: start)])
        state = update(state, .monitor(monitor, at: start)).0
        return state
    }

    /// Applies keys one by one, collecting every effect.
    static func press(_ state: TopState, _ keys: [Key]) -> (TopState, [Effect]) {
        var current = state
        var all: [Effect] = []
        for key in keys {
            let (next, effects) = update(current, .key(key))
            current = next
            all += effects
        }
        return (current, all)
    }

    static func type(_ text: String) -> [Key] { text.map { Key.character($0) } }

    /// The row index of `backend/server` (or a backend when `server` is nil).
    static func row(_ state: TopState, _ backend: String, _ server: String? = nil) -> Int? {
        state.rows.firstIndex { row in
            switch row.id {
            case .server(let id): server != nil && id.key.backend == backend && id.key.server == server
            case .backend(let id): server == nil && id.name == backend
            case .frontend: false
            }
        }
    }

    static func select(_ state: TopState, _ backend: String, _ server: String? = nil) -> TopState {
        var state = state
        state.moveCursor(to: row(state, backend, server)!)
        return state
    }

    /// The snapshot text of a state.
    static func screen(_ state: TopState, _ size: TerminalSize? = nil) -> ScreenBuffer {
        Renderer.render(state, size: size ?? state.size)
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
