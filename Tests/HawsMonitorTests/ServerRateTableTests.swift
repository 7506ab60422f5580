import HawsCore
import HawsTestSupport
import Testing

@testable import HawsMonitor

/// Server rates are stored by position in the snapshot: each server must still get its own rate when
/// HAProxy lists backends and servers in another order than at the previous poll (a reload with an edited
/// configuration), and when the order stays (the fast path, by position).
@Suite struct ServerRateTableTests {
    static let header = "# pxname,svname,type,status,stot,hrsp_1xx,bin,bout,econ,eresp,\n"

    static func row(_ proxy: String, _ server: String, type: Int, upgrades: Int) -> String {
        "\(proxy),\(server),\(type),UP,0,\(upgrades),0,0,0,0,\n"
    }

    static func reordered(s1: Int, s2: Int, t1: Int) -> String {
        header + row("be2", "t1", type: 2, upgrades: t1) + row("be2", "BACKEND", type: 1, upgrades: 0)
            + row("be", "s2", type: 2, upgrades: s2) + row("be", "s1", type: 2, upgrades: s1)
            + row("be", "BACKEND", type: 1, upgrades: 0)
    }

    /// Counters differ per server, so taking another server's previous counters gives another rate.
    @Test func eachServerKeepsItsOwnRateWhenTheOrderChangesAndWhenItStays() async throws {
        let first =
            Self.header + Self.row("be", "s1", type: 2, upgrades: 100) + Self.row("be", "s2", type: 2, upgrades: 200)
            + Self.row("be", "BACKEND", type: 1, upgrades: 0) + Self.row("be2", "t1", type: 2, upgrades: 300)
            + Self.row("be2", "BACKEND", type: 1, upgrades: 0)
        let script = ScriptedInstance([
            .success(("Pid: 1\n", first)),
            .success(("Pid: 1\n", Self.reordered(s1: 110, s2: 230, t1: 350))),  // other order: found by name
            .success(("Pid: 1\n", Self.reordered(s1: 120, s2: 260, t1: 400))),  // same order: found by position
        ])
        let clock = ManualClock()
        let engine = MonitorEngine(
            sources: [InstanceSource(name: "a", readStats: { script.read(name: "a") }, readTunnels: nil)],
            clock: clock.source)
        await engine.pollOnce()
        for _ in 0..<2 {
            clock.advance(.milliseconds(5))
            await engine.pollOnce()
            let live = await engine.state.instances[0]
            let s1 = try #require(live.rates(of: ServerKey(backend: "be", server: "s1"))?.upgrades)
            let s2 = try #require(live.rates(of: ServerKey(backend: "be", server: "s2"))?.upgrades)
            let t1 = try #require(live.rates(of: ServerKey(backend: "be2", server: "t1"))?.upgrades)
            #expect(s1 > 0)
            #expect(abs(s2 / s1 - 3) < 1e-9, "s1 \(s1)/s, s2 \(s2)/s")
            #expect(abs(t1 / s1 - 5) < 1e-9, "s1 \(s1)/s, t1 \(t1)/s")
            // By position, as the dashboard and the NDJSON writer read them: be2 then be (s2, s1).
            #expect(live.serverRates[backend: 0, server: 0]?.upgrades == t1)
            #expect(live.serverRates[backend: 1, server: 0]?.upgrades == s2)
            #expect(live.serverRates[backend: 1, server: 1]?.upgrades == s1)
            #expect(live.serverRates[backend: 1, server: 2] == nil)
            #expect(live.backendRates["be"]?.upgrades == s1 + s2)
        }
    }

    /// What the compact storage is for: six optional rates in 48 bytes, "no rate" kept apart from 0.
    @Test func ratesTakeSixDoublesAndKeepNoRateApartFromZero() {
        #expect(MemoryLayout<ObjectRates>.size == 48)
        var rates = ObjectRates(sessions: 0, upgrades: 2.5)
        #expect(rates.sessions == 0 && rates.requests == nil && rates.upgrades == 2.5)
        rates.upgrades = nil
        #expect(rates == ObjectRates(sessions: 0))
        #expect(rates != ObjectRates())
    }
}
