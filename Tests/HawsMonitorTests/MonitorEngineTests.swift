import Foundation
import HawsCore
import HawsTestSupport
import NIOConcurrencyHelpers
import Synchronization
import Testing
@testable import HawsMonitor

/// A scripted instance: each read returns the next CSV (or an error), as HAProxy would.
enum Step: Sendable {
    case success((info: String, csv: String))
    case failure(String)
}

final class ScriptedInstance: Sendable {
    private let script: NIOLockedValueBox<[Step]>
    let reads = Atomic<Int>(0)

    init(_ script: [Step]) { self.script = NIOLockedValueBox(script) }

    func read(name: String) -> InstanceReading {
        reads.add(1, ordering: .relaxed)
        let next = script.withLockedValue { $0.count > 1 ? $0.removeFirst() : $0[0] }
        switch next {
        case .success(let (info, csv)):
            guard let stats = try? StatsCSVParser.parse(csv) else { return .unreachable(instance: name, error: "bad csv") }
            return .read(InstanceSnapshot(instance: name, info: InfoParser.parse(info), stats: stats))
        case .failure(let message):
            return .unreachable(instance: name, error: message)
        }
    }
}

func csv(stot: Int, hrsp1xx: Int, backend1xx: Int = 0, status: String = "UP") -> String {
    """
    # pxname,svname,type,status,stot,hrsp_1xx,bin,bout,econ,eresp,
    be,s1,2,\(status),\(stot),\(hrsp1xx),0,0,0,0,
    be,BACKEND,1,UP,\(stot),\(backend1xx),0,0,0,0,

    """
}

/// Waits (with a deadline) until `condition` holds for the engine's state.
func eventually(_ engine: MonitorEngine, _ condition: (MonitorState) -> Bool) async -> Bool {
    await eventually(timeout: .seconds(5), interval: .milliseconds(10)) { condition(await engine.state) }
}

@Suite struct MonitorEngineTests {
    @Test func ratesAcrossAReloadAreNeverNegative() async {
        let script = ScriptedInstance([
            .success(("Pid: 1\nUptime_sec: 100\n", csv(stot: 100, hrsp1xx: 50))),
            .success(("Pid: 1\nUptime_sec: 101\n", csv(stot: 110, hrsp1xx: 60))),
            .success(("Pid: 2\nUptime_sec: 0\n", csv(stot: 2, hrsp1xx: 1))),  // reloaded: counters reset
            .success(("Pid: 2\nUptime_sec: 1\n", csv(stot: 12, hrsp1xx: 3))),
        ])
        // The polls are a second apart on an injected clock: back to back on the wall clock, two polls can land
        // within the 0.1 ms under which no rate is computed.
        let clock = ManualClock()
        let engine = MonitorEngine(
            sources: [InstanceSource(name: "a", readStats: { script.read(name: "a") }, readTunnels: nil)],
            clock: clock.source)
        await engine.pollOnce()
        #expect(await engine.state.instances[0].serverRates.all.first?.sessions == nil)  // first poll: no rate
        #expect(await !engine.state.instances[0].serverRates.all.isEmpty)
        clock.advance(.seconds(1))
        await engine.pollOnce()
        let second = await engine.state.instances[0].rates(of: ServerKey(backend: "be", server: "s1"))
        #expect((second?.sessions ?? 0) > 0)
        #expect((second?.upgrades ?? 0) > 0)
        clock.advance(.seconds(1))
        await engine.pollOnce()
        let afterReload = await engine.state
        #expect(afterReload.instances[0].serverRates.all.allSatisfy { $0.sessions == nil && $0.upgrades == nil })
        #expect(afterReload.events.contains { $0.kind == .reload })
        clock.advance(.seconds(1))
        await engine.pollOnce()
        let later = await engine.state.instances[0].rates(of: ServerKey(backend: "be", server: "s1"))
        #expect((later?.sessions ?? -1) >= 0)
        #expect(await engine.state.instances[0].snapshot?.serverTunnelsUnavailable == .noSocket)
    }

    @Test func unreachableThenRecoveredAreEvents() async {
        let script = ScriptedInstance([
            .success(("Pid: 1\n", csv(stot: 1, hrsp1xx: 1))),
            .failure("connection refused on /tmp/x.sock"),
            .failure("connection refused on /tmp/x.sock"),
            .success(("Pid: 1\n", csv(stot: 1, hrsp1xx: 1, status: "DOWN"))),
        ])
        let engine = MonitorEngine(sources: [InstanceSource(name: "a", readStats: { script.read(name: "a") }, readTunnels: nil)])
        for _ in 0..<4 { await engine.pollOnce() }
        let state = await engine.state
        #expect(state.events.map(\.kind) == [.instanceUnreachable, .instanceRecovered, .serverState])
        #expect(state.instances[0].health == .reachable)
        #expect(state.instances[0].failedPolls == 2)
        // The last good snapshot stays while unreachable: the screen never blanks.
        #expect(state.instances[0].snapshot != nil)
    }

    @Test func aHungInstanceNeverDelaysAnother() async {
        let fast = ScriptedInstance([.success(("Pid: 1\n", csv(stot: 1, hrsp1xx: 1)))])
        let clock = ManualClock()
        var configuration = MonitorConfiguration()
        configuration.statsInterval = .milliseconds(50)
        configuration.tunnelsInterval = .milliseconds(50)
        let engine = MonitorEngine(
            sources: [
                InstanceSource(
                    name: "hung",
                    readStats: {
                        try? await Task.sleep(for: .seconds(30))
                        return .unreachable(instance: "hung", error: "timeout")
                    }, readTunnels: nil),
                InstanceSource(
                    name: "fast", readStats: { fast.read(name: "fast") },
                    readTunnels: { .counted(current: [ServerKey(backend: "be", server: "s1"): TunnelTally(count: 7)], oldWorkers: nil) }),
            ], configuration: configuration, clock: clock.source)
        let task = Task { await engine.run() }
        // Each step waits until the fast instance's stats and tunnel loops and the staleness watch have parked,
        // then moves time one interval; the hung instance's poll (a real 30 s wait) never returns meanwhile.
        for _ in 0..<10 {
            #expect(await clock.waitForSleepers(3))
            clock.advance(.milliseconds(50))
        }
        let polled = await eventually(engine) { $0.instances[1].polls >= 10 }
        #expect(polled)
        let state = await engine.state
        #expect(state.instances[0].health == .waiting)
        #expect(state.instances[1].health == .reachable)
        #expect(state.instances[1].snapshot?.tunnels(of: ServerKey(backend: "be", server: "s1"))?.count == 7)
        #expect((state.instances[1].serverTunnelHistory.values(of: ServerKey(backend: "be", server: "s1"))?.last ?? 0) == 7)
        task.cancel()
        await task.value
    }

    @Test func aHangingPollTurnsStale() async {
        let gate = Atomic<Bool>(false)
        let clock = ManualClock()
        var configuration = MonitorConfiguration()
        configuration.statsInterval = .milliseconds(30)
        let engine = MonitorEngine(
            sources: [
                InstanceSource(
                    name: "a",
                    readStats: {
                        if gate.exchange(true, ordering: .relaxed) { try? await Task.sleep(for: .seconds(30)) }
                        return .read(InstanceSnapshot(instance: "a", stats: try! StatsCSVParser.parse(csv(stot: 1, hrsp1xx: 0))))
                    }, readTunnels: nil)
            ], configuration: configuration, clock: clock.source)
        let task = Task { await engine.run() }
        // The first poll answers and the stats loop and the staleness watch park; from then on the poll hangs and
        // only the watch sleeps. Four intervals take the last good poll past three intervals (stale).
        #expect(await clock.waitForSleepers(2))
        for _ in 0..<4 {
            clock.advance(.milliseconds(30))
            #expect(await clock.waitForSleepers(1))
        }
        let stale = await eventually(engine) { if case .stale = $0.instances[0].health { true } else { false } }
        #expect(stale)
        task.cancel()
        await task.value
    }

    @Test func historyIsBounded() async {
        let script = ScriptedInstance([.success(("Pid: 1\n", csv(stot: 1, hrsp1xx: 3)))])
        var configuration = MonitorConfiguration()
        configuration.historyCapacity = 5
        let engine = MonitorEngine(sources: [InstanceSource(name: "a", readStats: { script.read(name: "a") }, readTunnels: nil)], configuration: configuration)
        for _ in 0..<20 { await engine.pollOnce() }
        let history = await engine.state.instances[0].backendTunnelHistory["be"]
        #expect(history?.count == 5)
        #expect(history?.last == 3)
    }
}
