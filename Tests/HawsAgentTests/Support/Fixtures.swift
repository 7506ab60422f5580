import Foundation
import HawsCore
import HawsMonitor
import HawsTestSupport
import NIOConcurrencyHelpers

/// Scripted HAProxy answers for the agent's unit tests: each read returns the next step.
final class ScriptedSource: Sendable {
    enum Step: Sendable {
        case stats(info: String, csv: String)
        case failure(String)
    }

    private let steps: NIOLockedValueBox<[Step]>
    private let tunnels: NIOLockedValueBox<TunnelReading?>

    init(_ steps: [Step], tunnels: TunnelReading? = nil) {
        self.steps = NIOLockedValueBox(steps)
        self.tunnels = NIOLockedValueBox(tunnels)
    }

    func source(_ name: String) -> InstanceSource {
        var readTunnels: (@Sendable () async -> TunnelReading)?
        if tunnels.withLockedValue({ $0 != nil }) {
            readTunnels = { self.tunnels.withLockedValue { $0! } }
        }
        return InstanceSource(name: name, readStats: { self.next(name) }, readTunnels: readTunnels)
    }

    func setTunnels(_ reading: TunnelReading) {
        tunnels.withLockedValue { $0 = reading }
    }

    private func next(_ name: String) -> InstanceReading {
        let step = steps.withLockedValue { $0.count > 1 ? $0.removeFirst() : $0[0] }
        switch step {
        case .stats(let info, let csv):
            guard let table = try? StatsCSVParser.parse(csv) else {
                return .unreachable(instance: name, error: "bad csv")
            }
            return .read(InstanceSnapshot(instance: name, info: InfoParser.parse(info), stats: table))
        case .failure(let message):
            return .unreachable(instance: name, error: message)
        }
    }
}

enum Fixture {
    static func info(pid: Int = 100, uptime: Int = 60) -> String {
        "Name: HAProxy\nVersion: 2.6.12-1+deb12u1\nPid: \(pid)\nUptime_sec: \(uptime)\nCurrConns: 31\nMaxconn: 4000\nStopping: 0\nnode: edge\n"
    }

    /// Two WebSocket backends like the lab's: ws_chat (s1 UP, s2 DRAIN, s3 DOWN) and ws_feed (f1 MAINT).
    /// `scale` multiplies every counter, so two polls give positive rates (or, scale going down, a reset).
    static func csv(scale: Int = 1, s1Sessions: Int = 7) -> String {
        let header =
            "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,"
            + "weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,"
            + "rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,"
            + "hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,addr,last_chk,"
        func server(_ backend: String, _ name: String, _ status: String, scur: Int, hrsp: Int, check: String) -> String
        {
            "\(backend),\(name),0,0,\(scur),10,,\(20 * scale),\(1000 * scale),\(2000 * scale),,0,,\(scale),0,0,0,"
                + "\(status),1,1,0,0,0,5,0,,1,3,1,,\(20 * scale),,2,0,,3,\(check),101,1,\(hrsp * scale),0,0,0,0,0,,,,"
                + "\(20 * scale),0,0,127.0.0.1:8001,\"Layer7 check passed, \"\"quoted\"\"\","
        }
        func backend(_ name: String, _ status: String, scur: Int, hrsp: Int) -> String {
            "\(name),BACKEND,0,0,\(scur),10,400,\(40 * scale),\(5000 * scale),\(9000 * scale),0,0,,\(2 * scale),0,0,0,"
                + "\(status),3,2,0,,0,5,0,,1,3,0,,\(40 * scale),,1,0,,3,,,,\(hrsp * scale),0,0,0,0,0,,,,\(40 * scale),0,0,,,"
        }
        return [
            header,
            server("ws_chat", "s1", "UP", scur: s1Sessions, hrsp: 12, check: "L7OK"),
            server("ws_chat", "s2", "DRAIN", scur: 3, hrsp: 4, check: "L7OK"),
            server("ws_chat", "s3", "DOWN", scur: 0, hrsp: 0, check: "L4CON"),
            backend("ws_chat", "UP", scur: 10, hrsp: 6),
            server("ws_feed", "f1", "MAINT", scur: 0, hrsp: 0, check: ""),
            backend("ws_feed", "DOWN", scur: 0, hrsp: 0),
            "",
        ].joined(separator: "\n")
    }

    static let chatS1 = ServerKey(backend: "ws_chat", server: "s1")
    static let chatS2 = ServerKey(backend: "ws_chat", server: "s2")

    /// 5 tunnels on s1 (two older than a minute), 2 on s2, plus 3 on s1 held by an old worker.
    static let tunnels = TunnelReading.counted(
        current: [
            chatS1: TunnelTally(count: 5, oldestSeconds: 4_000, olderThanMinute: 2, olderThanHour: 1),
            chatS2: TunnelTally(count: 2, oldestSeconds: 10),
        ],
        oldWorkers: [
            chatS1: TunnelTally(count: 3, oldestSeconds: 90_000, olderThanMinute: 3, olderThanHour: 3, olderThanDay: 3)
        ])

    /// An engine that polled `source` `polls` times, and its state.
    static func state(_ sources: [InstanceSource], polls: Int) async -> MonitorState {
        let clock = ManualClock()
        let engine = MonitorEngine(sources: sources, clock: clock.source)
        for _ in 0..<polls {
            await engine.pollOnce()
            clock.advance(.milliseconds(20))  // rates need time between polls
        }
        return await engine.state
    }
}

/// Parses NDJSON text into objects, failing on any line that is not a complete JSON object.
func parseLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PythonError(description: "not a JSON object: \(line.prefix(200))")
        }
        return object
    }
}

/// A JSON number as a `Double`, whichever type JSONSerialization chose for it; nil for null or absent.
func number(_ value: Any?) -> Double? {
    switch value {
    case let value as Int: Double(value)
    case let value as Double: value
    case let value as NSNumber: value.doubleValue
    default: nil
    }
}
