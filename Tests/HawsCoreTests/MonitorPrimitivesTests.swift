import Foundation
import Testing
@testable import HawsCore

@Suite struct MonitorPrimitivesTests {
    @Test func ratesNeverGoNegative() {
        #expect(CounterRate.perSecond(previous: 100, current: 150, seconds: 2) == 25)
        #expect(CounterRate.perSecond(previous: 100, current: 3, seconds: 1) == nil)  // counter reset
        #expect(CounterRate.perSecond(previous: 1, current: 5, seconds: 0) == nil)
        #expect(CounterRate.perSecond(previous: 1, current: 5, seconds: 1, reset: true) == nil)
    }

    @Test func reloadDetection() {
        let a = InstanceInfo(fields: ["Pid": "10", "Uptime_sec": "100"])
        let samePidOlder = InstanceInfo(fields: ["Pid": "10", "Uptime_sec": "3"])
        let newPid = InstanceInfo(fields: ["Pid": "11", "Uptime_sec": "200"])
        let later = InstanceInfo(fields: ["Pid": "10", "Uptime_sec": "101"])
        #expect(ReloadDetector.reload(from: a, to: later) == nil)
        #expect(ReloadDetector.reload(from: a, to: samePidOlder) == .uptimeWentBack(from: 100, to: 3))
        #expect(ReloadDetector.reload(from: a, to: newPid) == .pidChanged(from: 10, to: 11))
        #expect(ReloadDetector.reload(from: nil, to: a) == nil)
    }

    @Test func ringKeepsTheNewestWithinCapacity() {
        var ring = RingBuffer<Int>(capacity: 3)
        #expect(ring.isEmpty && ring.last == nil)
        for value in 1...7 { ring.append(value) }
        #expect(ring.elements == [5, 6, 7])
        #expect(ring.count == 3)
        #expect(ring.last == 7)
        #expect(ring.suffix(2) == [6, 7])
    }

    @Test func diffListsStateChangesReloadsAndRemovals() throws {
        let header = "# pxname,svname,type,status,check_status,last_chk,\n"
        let before = try StatsCSVParser.parse(header + "be,s1,2,UP,L7OK,,\nbe,s2,2,UP,L7OK,,\nbe,s3,2,UP,L7OK,,\nbe,BACKEND,1,UP,,,\n")
        let after = try StatsCSVParser.parse(header + "be,s1,2,DOWN,L4CON,Connection refused,\nbe,s2,2,DRAIN,L7OK,,\nbe,s4,2,UP,L7OK,,\nbe,BACKEND,1,UP,,,\n")
        let old = InstanceSnapshot(instance: "i", info: InstanceInfo(fields: ["Pid": "1"]), stats: before)
        let new = InstanceSnapshot(instance: "i", info: InstanceInfo(fields: ["Pid": "2"]), stats: after)
        let events = SnapshotDiff.events(from: old, to: new, at: Date(timeIntervalSince1970: 0))
        #expect(events.map(\.summary) == [
            "i reloaded (pid changed from 1 to 2)",
            "be/s1 UP -> DOWN (L4CON Connection refused)",
            "be/s2 UP -> DRAIN",
            "be/s4 added as UP",
            "be/s3 removed",
        ])
        #expect(SnapshotDiff.events(from: new, to: new, at: Date()).isEmpty)
    }

    @Test func reorderedServersAreNotChanges() throws {
        let header = "# pxname,svname,type,status,check_status,\n"
        let before = try StatsCSVParser.parse(header + "be,s1,2,UP,L7OK,\nbe,s2,2,DOWN,L4CON,\nbe,BACKEND,1,UP,,\n")
        let after = try StatsCSVParser.parse(header + "be,s2,2,DOWN,L4CON,\nbe,s1,2,UP,L7OK,\nbe,BACKEND,1,UP,,\n")
        let events = SnapshotDiff.events(
            from: InstanceSnapshot(instance: "i", stats: before), to: InstanceSnapshot(instance: "i", stats: after), at: Date())
        #expect(events.isEmpty, "\(events.map(\.summary))")
    }

    /// `haws status` reads tunnel ages only while a dump is cheap: the estimate must count HTTP/2 streams, which
    /// share connections (20,000 tunnels on 30 connections cost a 20,000-stream dump).
    @Test func streamsAtLeastCountsBackendStreamsBeyondConnections() throws {
        let header = "# pxname,svname,scur,type,\n"
        let h2 = try StatsCSVParser.parse(header + "be,s1,12000,2,\nbe,s2,8000,2,\nbe,BACKEND,20000,1,\nfe,FRONTEND,20,0,\n")
        #expect(InstanceSnapshot(instance: "i", info: InstanceInfo(fields: ["CurrConns": "30"]), stats: h2).streamsAtLeast == 20_000)
        let h1 = try StatsCSVParser.parse(header + "be,s1,40,2,\nbe,BACKEND,40,1,\n")
        #expect(InstanceSnapshot(instance: "i", info: InstanceInfo(fields: ["CurrConns": "90"]), stats: h1).streamsAtLeast == 90)
        #expect(InstanceSnapshot(instance: "i", stats: h1).streamsAtLeast == 40)
        #expect(InstanceSnapshot(instance: "i", stats: try StatsCSVParser.parse(header)).streamsAtLeast == nil)
    }
}
