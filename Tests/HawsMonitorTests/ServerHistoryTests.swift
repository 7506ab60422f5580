import HawsCore
import Testing

@testable import HawsMonitor

@Suite struct ServerHistoryTests {
    /// A snapshot of `servers` (backend, server) with those tunnel counts (absent: 0).
    static func snapshot(_ servers: [(String, String)], tunnels: [String: Int]) -> InstanceSnapshot {
        var lines = ["# pxname,svname,type,status,stot,hrsp_1xx,bin,bout,econ,eresp,"]
        for (backend, server) in servers { lines.append("\(backend),\(server),2,UP,0,0,0,0,0,0,") }
        for backend in Set(servers.map(\.0)).sorted() { lines.append("\(backend),BACKEND,1,UP,0,0,0,0,0,0,") }
        let stats = try! StatsCSVParser.parse(lines.joined(separator: "\n") + "\n")
        var counts: [ServerKey: TunnelTally] = [:]
        for (name, count) in tunnels {
            let parts = name.split(separator: "/").map(String.init)
            counts[ServerKey(backend: parts[0], server: parts[1])] = TunnelTally(count: count)
        }
        return InstanceSnapshot(instance: "a", stats: stats, serverTunnels: counts)
    }

    static let fleet = [("be", "s1"), ("be", "s2"), ("be", "s3")]

    @Test func keepsTheLastCapacitySamplesOldestFirst() {
        var history = ServerHistory(capacity: 3)
        for value in 1...5 { history.record(Self.snapshot(Self.fleet, tunnels: ["be/s2": value])) }
        #expect(history.count == 3)
        #expect(history.values(of: ServerKey(backend: "be", server: "s2")) == [3, 4, 5])
        #expect(history.values(of: ServerKey(backend: "be", server: "s1")) == [0, 0, 0])
        #expect(history.values(of: ServerKey(backend: "be", server: "nope")) == nil)
    }

    @Test func idleServersAndRepeatedCountsCostNothing() {
        var history = ServerHistory(capacity: 300)
        let idle = Self.snapshot(Self.fleet, tunnels: [:])
        for _ in 0..<300 { history.record(idle) }
        #expect(history.storedValues == 0)
        let busy = Self.snapshot(Self.fleet, tunnels: ["be/s1": 2, "be/s3": 70_000])
        for index in 0..<10 { history.record(busy, unchanged: index > 0) }
        // Ten samples of the same counts share one frame of three values; counts saturate.
        #expect(history.storedValues == 3)
        #expect(history.values(of: ServerKey(backend: "be", server: "s3"))?.last == 65_535)
        #expect(history.values(of: ServerKey(backend: "be", server: "s1"))?.suffix(11) == [0] + Array(repeating: 2, count: 10))
    }

    @Test func aReloadMovesEachServersPastToItsNewPlace() {
        var history = ServerHistory(capacity: 10)
        history.record(Self.snapshot(Self.fleet, tunnels: ["be/s1": 1, "be/s3": 3]))
        history.record(Self.snapshot(Self.fleet, tunnels: ["be/s1": 1, "be/s3": 3]), unchanged: true)
        // s2 removed, s0 added in front: a new layout.
        let reloaded = [("be", "s0"), ("be", "s1"), ("be", "s3")]
        history.record(Self.snapshot(reloaded, tunnels: ["be/s0": 9, "be/s3": 4]), unchanged: true)
        #expect(history.values(of: ServerKey(backend: "be", server: "s1")) == [1, 1, 0])
        #expect(history.values(of: ServerKey(backend: "be", server: "s3")) == [3, 3, 4])
        #expect(history.values(of: ServerKey(backend: "be", server: "s0")) == [0, 0, 9])
        #expect(history.values(of: ServerKey(backend: "be", server: "s2")) == nil)
    }

    @Test func capacityZeroKeepsNothing() {
        var history = ServerHistory(capacity: 0)
        history.record(Self.snapshot(Self.fleet, tunnels: ["be/s1": 1]))
        #expect(history.count == 0)
    }
}
