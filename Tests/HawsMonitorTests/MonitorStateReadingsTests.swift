import Foundation
import HawsCore
import Testing

@testable import HawsMonitor

/// ``MonitorState/readings``: the engine's latest picture in the form per-server planners (the probes) take.
@Suite struct MonitorStateReadingsTests {
    @Test func reachableAndStaleReadAsTheirSnapshotOthersAsUnreachable() throws {
        let snapshot = InstanceSnapshot(instance: "a", stats: try StatsCSVParser.parse(csv(stot: 1, hrsp1xx: 1)))
        var reachable = LiveInstance(name: "a")
        reachable.health = .reachable
        reachable.snapshot = snapshot
        var stale = reachable
        stale.name = "b"
        stale.health = .stale(lastGood: Date())
        var down = LiveInstance(name: "c")
        down.health = .unreachable(error: "connect: Connection refused")
        down.snapshot = snapshot  // kept for the screen, but not a current reading
        let waiting = LiveInstance(name: "d")
        let state = MonitorState(instances: [reachable, stale, down, waiting], events: [], generation: 1)

        let readings = state.readings
        #expect(readings.map(\.instance) == ["a", "a", "c", "d"])  // a read names its snapshot's instance
        guard case .read = readings[0], case .read = readings[1] else {
            Issue.record("reachable and stale instances read as their snapshots: \(readings)")
            return
        }
        guard case .unreachable(_, let error) = readings[2], case .unreachable = readings[3] else {
            Issue.record("unreachable and waiting instances are unreachable: \(readings)")
            return
        }
        #expect(error == "connect: Connection refused")
        #expect(!state.everyInstancePolled)
        #expect(MonitorState(instances: [reachable, down], events: [], generation: 1).everyInstancePolled)
    }
}
