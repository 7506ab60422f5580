import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsTUI

@Suite struct DrainTrackerTests {
    let t0 = Fixture.start
    let key = ServerKey(backend: "ws_chat", server: "s1")

    func observation(_ seconds: Double, _ tunnels: Int, _ upgrades: Int? = nil) -> DrainTracker.Observation {
        DrainTracker.Observation(time: t0.addingTimeInterval(seconds), tunnels: tunnels, upgradesTotal: upgrades)
    }

    @Test func rateEtaAndArrivals() throws {
        var tracker = DrainTracker(server: key, start: observation(0, 30, 100))
        #expect(tracker.decreasePerSecond == nil)
        #expect(tracker.etaSeconds == nil)
        #expect(tracker.arrivedSinceStart == 0)
        tracker.observe(observation(5, 25, 101))
        tracker.observe(observation(10, 20, 103))
        #expect(try #require(tracker.decreasePerSecond) == 1.0)
        #expect(tracker.etaSeconds == 20)
        #expect(tracker.arrivedSinceStart == 3)
        #expect(tracker.closedSinceStart == 10)
        #expect(tracker.nextStep(at: t0.addingTimeInterval(10)) == .wait)
        // A reading older than the latest is ignored.
        tracker.observe(observation(7, 0, 999))
        #expect(tracker.tunnels == 20)
    }

    @Test func flatOrGrowingCountsHaveNoEta() {
        var tracker = DrainTracker(server: key, start: observation(0, 10))
        tracker.observe(observation(5, 10))
        #expect(tracker.decreasePerSecond == 0)
        #expect(tracker.etaSeconds == nil)
        tracker.observe(observation(10, 14))
        #expect(tracker.decreasePerSecond == 0)
        #expect(tracker.closedSinceStart == 0)
        #expect(tracker.arrivedSinceStart == nil)
    }

    @Test func counterResetCountsFromTheNewBase() {
        var tracker = DrainTracker(server: key, start: observation(0, 10, 500))
        tracker.observe(observation(1, 9, 502))
        tracker.observe(observation(2, 9, 3))  // reload: the counter restarted
        tracker.observe(observation(3, 8, 4))
        #expect(tracker.arrivedSinceStart == 6)
    }

    @Test func rateUsesTheRecentWindowOnly() throws {
        var tracker = DrainTracker(server: key, start: observation(0, 100), options: .init(rateWindow: .seconds(10)))
        tracker.observe(observation(1, 50))  // a fast start, outside the window later
        for second in stride(from: 20.0, through: 30, by: 2) {
            tracker.observe(observation(second, Int(70 - (second - 20))))
        }
        #expect(abs(try #require(tracker.decreasePerSecond) - 1.0) < 1e-9)
        #expect(tracker.recent.count == 6)
    }

    @Test func stepsMaintAtZeroAndTheDeadlineOffer() {
        var tracker = DrainTracker(
            server: key, start: observation(0, 3), options: .init(maintWhenEmpty: true, deadline: .seconds(60)))
        #expect(tracker.deadlineDate == t0.addingTimeInterval(60))
        #expect(tracker.nextStep(at: t0.addingTimeInterval(59)) == .wait)
        #expect(tracker.nextStep(at: t0.addingTimeInterval(60)) == .offerShutdown(remaining: 3))
        tracker.markShutdownOffered()
        #expect(tracker.nextStep(at: t0.addingTimeInterval(61)) == .wait)
        tracker.observe(observation(70, 0))
        #expect(tracker.etaSeconds == 0)
        #expect(tracker.nextStep(at: t0.addingTimeInterval(70)) == .switchToMaint)
        tracker.markMaintRequested()
        #expect(tracker.nextStep(at: t0.addingTimeInterval(71)) == .drained)
        let plain = DrainTracker(server: key, start: observation(0, 0))
        #expect(plain.nextStep(at: t0.addingTimeInterval(1_000)) == .drained)
    }
}

@Suite struct DrainFlowTests {
    func snapshot(at seconds: Double, s1 tunnels: Int, status: String = "DRAIN", upgrades: Int = 10) -> Action {
        var backends = Fixture.demoBackends
        backends[0].1[0].status = status
        backends[0].1[0].tunnels = tunnels
        backends[0].1[0].sessions = tunnels
        backends[0].1[0].upgrades = upgrades
        let time = Fixture.start.addingTimeInterval(seconds)
        return .monitor(Fixture.monitor([Fixture.live(Fixture.snapshot(backends), polledAt: time)]), at: time)
    }

    func sent(_ effects: [Effect]) -> ActionBatch? {
        for effect in effects { if case .send(let batch) = effect { return batch } }
        return nil
    }

    /// Drain with "MAINT at 0": progress shows live, MAINT is sent once when the count reaches zero.
    @Test func drainToZeroSwitchesToMaintAsConfirmed() {
        var state = Fixture.select(Fixture.state(size: TerminalSize(columns: 120, rows: 40)), "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("a")])
        #expect(Fixture.screen(state).text.contains("switch to MAINT when tunnels reach 0: yes"))
        (state, effects) = Fixture.press(state, [.character("y")])
        let drain = sent(effects)!
        #expect(drain.drainOptions?.maintWhenEmpty == true)
        (state, _) = update(
            state, .sent(batch: drain.id, results: [.success("")], at: Fixture.start.addingTimeInterval(0.5)))
        let id = ActionTests.s1
        #expect(state.drains[id]?.tracker.tunnelsAtStart == 4)
        (state, _) = update(state, snapshot(at: 2.5, s1: 3, upgrades: 11))
        (state, _) = update(state, snapshot(at: 4.5, s1: 2, upgrades: 11))
        let progress = Fixture.screen(state).text
        #expect(progress.contains("DRAIN ws_chat/s1 2 tunnels now, 3 at start, ↓0.5/s, ETA 4s, 1 new since start"))
        #expect(progress.contains("MAINT at 0"))
        // The tunnels view shows the compact progress in its DRAIN column.
        let tunnelsView = Fixture.screen(Fixture.press(state, [.character("2")]).0).text
        #expect(tunnelsView.contains("2/3 ↓0.5/s ETA 4s +1"))
        (state, effects) = update(state, snapshot(at: 6, s1: 0, upgrades: 11))
        let maint = sent(effects)
        #expect(maint?.items.map(\.command.text) == ["set server ws_chat/s1 state maint"])
        #expect(maint?.origin == .maintAtZero)
        #expect(state.message?.text.contains("reached 0 tunnels: switching to MAINT as confirmed") == true)
        // Sent once only.
        (state, effects) = update(state, snapshot(at: 7, s1: 0, upgrades: 11))
        #expect(sent(effects) == nil)
        (state, effects) = update(
            state, .sent(batch: maint!.id, results: [.success("")], at: Fixture.start.addingTimeInterval(7.5)))
        (state, effects) = update(state, snapshot(at: 8, s1: 0, status: "MAINT", upgrades: 11))
        #expect(state.drains[id] == nil)
        let records = effects.flatMap { effect -> [AuditRecord] in if case .audit(let r) = effect { r } else { [] } }
        #expect(records.first?.origin == "auto-maint at zero tunnels")
        #expect(records.first?.stateAfter == "MAINT")
    }

    /// A MAINT at zero that can no longer be sent (the socket now refuses actions) says so, in what the drain counts.
    @Test func aMaintAtZeroThatCannotBeSentSaysWhy() throws {
        var state = Fixture.select(Fixture.state(size: TerminalSize(columns: 120, rows: 40)), "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("a"), .character("y")])
        let drain = try #require(sent(effects))
        (state, _) = update(
            state, .sent(batch: drain.id, results: [.success("")], at: Fixture.start.addingTimeInterval(0.5)))
        (state, _) = update(state, snapshot(at: 2.5, s1: 3))
        (state, _) = update(state, .access(instance: "demo", .refused("Permission denied")))
        (state, effects) = update(state, snapshot(at: 4, s1: 0))
        #expect(sent(effects) == nil)
        #expect(state.message?.text.contains("ws_chat/s1 reached 0 tunnels but MAINT was not sent") == true, "\(String(describing: state.message?.text))")
    }

    /// After the deadline, the shutdown is offered in a dialog: never sent without a `y`.
    @Test func theDeadlineOffersTheShutdown() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s1")
        var effects: [Effect]
        // t: 10m -> 30m -> 1h -> never -> 1m
        (state, effects) = Fixture.press(
            state, [.character("d")] + Array(repeating: .character("t"), count: 4) + [.character("y")])
        let drain = sent(effects)!
        #expect(drain.drainOptions?.deadline == .seconds(60))
        (state, _) = update(state, .sent(batch: drain.id, results: [.success("")], at: Fixture.start))
        (state, _) = update(state, snapshot(at: 30, s1: 3))
        (state, effects) = update(state, .tick(Fixture.start.addingTimeInterval(59)))
        #expect(state.overlay == nil)
        (state, effects) = update(state, .tick(Fixture.start.addingTimeInterval(61)))
        #expect(sent(effects) == nil)
        guard case .confirm(let offer)? = state.overlay else {
            Issue.record("no offer")
            return
        }
        #expect(offer.batch.origin == .drainDeadline)
        #expect(offer.batch.items.map(\.command.text) == ["shutdown sessions server ws_chat/s1"])
        let text = Fixture.screen(state).text
        #expect(text.contains("Drain deadline passed: shut down the remaining sessions?"))
        #expect(text.contains("shutdown sessions server ws_chat/s1"))
        // Declined: nothing sent, and not asked again.
        (state, effects) = Fixture.press(state, [.character("n")])
        #expect(effects.isEmpty)
        (state, effects) = update(state, .tick(Fixture.start.addingTimeInterval(120)))
        #expect(state.overlay == nil)
    }

    @Test func aDrainEndsWhenSomeoneSetsTheServerReady() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("y")])
        (state, _) = update(state, .sent(batch: sent(effects)!.id, results: [.success("")], at: Fixture.start))
        (state, _) = update(state, snapshot(at: 1, s1: 4))
        #expect(state.drains.count == 1)
        (state, _) = update(state, snapshot(at: 2, s1: 4, status: "UP"))
        #expect(state.drains.isEmpty)
        #expect(state.message?.text.contains("READY again") == true)
    }

    /// The session list is no longer read in the middle of a drain: the drain follows the server's sessions, not
    /// the lower bound the counters leave of its tunnels, which can reach 0 (and send MAINT) with a tunnel open.
    @Test func aDrainWhoseSessionListGoesAwayFollowsSessionsNotTheLowerBound() throws {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("a"), .character("y")])
        (state, _) = update(state, .sent(batch: sent(effects)!.id, results: [.success("")], at: Fixture.start))
        (state, _) = update(state, snapshot(at: 1, s1: 4))
        #expect(state.drains[ActionTests.s1]?.countsSessions == false)
        #expect(state.drains[ActionTests.s1]?.tracker.tunnels == 4)

        var backends = Fixture.demoBackends
        backends[0].1[0].status = "DRAIN"
        backends[0].1[0].sessions = 1
        backends[0].1[0].tunnels = 1
        let lost = Fixture.snapshot(backends, perServerTunnels: false)
        let s1 = try #require(lost.backends.first { $0.name == "ws_chat" }?.servers.first { $0.name == "s1" })
        #expect(lost.tunnelCount(of: s1)?.count == 0)  // one tunnel open, the counters' lower bound says 0
        let time = Fixture.start.addingTimeInterval(3)
        (state, effects) = update(state, .monitor(Fixture.monitor([Fixture.live(lost, polledAt: time)]), at: time))
        #expect(sent(effects) == nil)
        #expect(state.drains[ActionTests.s1]?.tracker.tunnels == 1)
        #expect(state.drains[ActionTests.s1]?.countsSessions == true)
        #expect(Fixture.screen(state).text.contains("1 sessions now"))
    }

    @Test func withoutPerServerTunnelsTheDrainCountsSessions() {
        var state = Fixture.state()
        let live = Fixture.live(
            Fixture.snapshot(Fixture.demoBackends, perServerTunnels: false), polledAt: Fixture.start)
        state = update(state, .monitor(Fixture.monitor([live]), at: Fixture.start)).0
        state = Fixture.select(state, "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("y")])
        (state, _) = update(state, .sent(batch: sent(effects)!.id, results: [.success("")], at: Fixture.start))
        #expect(state.drains[ActionTests.s1]?.countsSessions == true)
        #expect(Fixture.screen(state).text.contains("4 sessions now"))
    }
}
