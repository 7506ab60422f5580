import Foundation
import HawsCore
import HawsTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import HawsProbe

/// The scheduler with an injected probe function and clock: no sockets, no sleeping.
@Suite("ProbeScheduler and ProbeHealth")
struct ProbeSchedulerTests {
    /// A clock that only moves when the scheduler sleeps (or a test advances it).
    typealias FakeClock = ManualClock

    /// A probe function whose verdict per port the test sets, counting calls and the most in flight.
    final class FakeProbe: Sendable {
        struct State {
            var failures: [Int: ProbeFailure] = [:]
            var calls: [Int: Int] = [:]
            var inFlight = 0
            var maxInFlight = 0
            var modes: [ProbeOptions.Mode] = []
        }
        let state = NIOLockedValueBox(State())
        let clock: FakeClock
        let latency: Duration

        init(clock: FakeClock, latency: Duration = .milliseconds(3)) {
            self.clock = clock
            self.latency = latency
        }

        func fail(_ port: Int, _ failure: ProbeFailure?) {
            self.state.withLockedValue { $0.failures[port] = failure }
        }

        func calls(_ port: Int) -> Int { self.state.withLockedValue { $0.calls[port] ?? 0 } }
        var maxInFlight: Int { self.state.withLockedValue { $0.maxInFlight } }
        var modes: [ProbeOptions.Mode] { self.state.withLockedValue { $0.modes } }

        var probe: ProbeScheduler.Probe {
            { target, options in
                let failure = self.state.withLockedValue { state in
                    state.calls[target.port, default: 0] += 1
                    state.inFlight += 1
                    state.maxInFlight = max(state.maxInFlight, state.inFlight)
                    state.modes.append(options.mode)
                    return state.failures[target.port]
                }
                // A real (short) wait lets the other probes of the round start, so concurrency is observable.
                try? await Task.sleep(for: .milliseconds(1))
                self.state.withLockedValue { $0.inFlight -= 1 }
                let now = self.clock.epoch.addingTimeInterval(self.clock.elapsed.seconds)
                return ProbeResult(
                    target: target,
                    mode: options.mode,
                    failure: failure,
                    timings: ProbeTimings(connect: .microseconds(200), upgrade: self.latency, total: self.latency),
                    httpStatus: failure == nil ? 101 : nil,
                    startedAt: now,
                    finishedAt: now
                )
            }
        }
    }

    /// Thread-safe collection of what the scheduler publishes.
    final class Collected: Sendable {
        let events = NIOLockedValueBox<[MonitorEvent]>([])
        let boards = NIOLockedValueBox<[ProbeBoard]>([])
        var eventList: [MonitorEvent] { self.events.withLockedValue { $0 } }
        var boardCount: Int { self.boards.withLockedValue { $0.count } }
    }

    /// A plan of servers `s<port>` in backend `be` of `edge-1`, probing 127.0.0.1:<port>.
    final class PlanSource: Sendable {
        let plan = NIOLockedValueBox(ProbePlan())

        func set(_ ports: [Int], notProbeable: [String: String] = [:], unavailable: Set<String> = []) {
            var entries = ports.map { port in
                PlannedProbe(
                    key: ProbeSchedulerTests.key("s\(port)"),
                    disposition: .probe(ProbeTarget(host: "127.0.0.1", port: port, path: "/ws"), mode: .full)
                )
            }
            for (server, reason) in notProbeable.sorted(by: { $0.key < $1.key }) {
                entries.append(
                    PlannedProbe(key: ProbeSchedulerTests.key(server), disposition: .notProbeable(reason: reason))
                )
            }
            self.plan.withLockedValue { $0 = ProbePlan(entries: entries, unavailableInstances: unavailable) }
        }

        var targets: @Sendable () async -> ProbePlan {
            { self.plan.withLockedValue { $0 } }
        }
    }

    static func key(_ server: String) -> ProbeKey {
        .server(ServerKey(backend: "be", server: server), instance: "edge-1")
    }

    func scheduler(
        _ source: PlanSource,
        _ probe: FakeProbe,
        _ clock: FakeClock,
        _ collected: Collected,
        configuration: ProbeScheduler.Configuration = ProbeScheduler.Configuration(jitter: .zero)
    ) -> ProbeScheduler {
        ProbeScheduler(
            configuration: configuration,
            targets: source.targets,
            probe: probe.probe,
            clock: ProbeScheduler.Clock(clock.source),
            onEvent: { event in collected.events.withLockedValue { $0.append(event) } },
            onBoard: { board in collected.boards.withLockedValue { $0.append(board) } }
        )
    }

    @Test("a round probes every probeable server once, keeps not-probeable reasons, and publishes a board")
    func oneRound() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set([1001, 1002, 1003], notProbeable: ["zero": "port 0: ..."])
        probe.fail(1002, .badAccept(expected: "abc=", received: "xyz="))
        let collected = Collected()
        let scheduler = self.scheduler(source, probe, clock, collected)

        let board = await scheduler.runRound()
        #expect(board.entries.count == 4)
        #expect([1001, 1002, 1003].map(probe.calls) == [1, 1, 1])
        #expect(board.lastRound?.number == 1)
        #expect(board.lastRound?.probes == 3)
        #expect(board.lastRound?.passed == 2)
        #expect(board.lastRound?.failed == 1)
        #expect(board.lastRound?.notProbeable == 1)
        #expect(collected.boardCount == 1)

        let ok = board[Self.key("s1001")]
        #expect(ok?.lastResult?.passed == true)
        #expect(ok?.health.state == .passing)
        #expect(ok?.statistics?.probes == 1)
        #expect(ok?.statistics?.successRatio == 1)
        #expect(ok?.statistics?.phases[.upgrade]?.count == 1)
        let failing = board.entry(instance: "edge-1", server: ServerKey(backend: "be", server: "s1002"))
        #expect(failing?.health.state == .failing)
        #expect(failing?.health.failureCode == "bad_accept")
        #expect(failing?.statistics?.successRatio == 0)
        #expect(board.failing.map(\.key) == [Self.key("s1002")])
        let zero = board[Self.key("zero")]
        #expect(zero?.notProbeable == "port 0: ...")
        #expect(zero?.target == nil)
        #expect(zero?.lastResult == nil)

        // The first failure is news; a first pass is not.
        let events = collected.eventList
        #expect(events.count == 1)
        #expect(events.first?.kind == .probeFailure)
        #expect(events.first?.object == "be/s1002")
        #expect(events.first?.instance == "edge-1")
        #expect(events.first?.after == "bad_accept")
        #expect(events.first?.detail?.contains("Sec-WebSocket-Accept") == true)
    }

    @Test("failure and recovery transitions become events; a steady state does not repeat them")
    func transitions() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set([2001])
        let collected = Collected()
        let scheduler = self.scheduler(source, probe, clock, collected)

        await scheduler.runRound()  // passing: no event
        probe.fail(2001, .connectRefused(address: "127.0.0.1:2001"))
        await scheduler.runRound()  // passing -> failing
        await scheduler.runRound()  // still failing, same code: nothing
        probe.fail(2001, .status(code: 502, reason: "Bad Gateway"))
        await scheduler.runRound()  // failing differently: news
        probe.fail(2001, nil)
        await scheduler.runRound()  // recovered
        await scheduler.runRound()

        let events = collected.eventList
        #expect(events.map(\.kind) == [.probeFailure, .probeFailure, .probeRecovered])
        #expect(events.map(\.before) == ["passing", "connect_refused", "status"])
        #expect(events.map(\.after) == ["connect_refused", "status", "passing"])
        #expect(events[0].summary == "be/s2001 probe failing as connect_refused (\(events[0].detail ?? ""))")
        let board = await scheduler.board
        #expect(board[Self.key("s2001")]?.statistics?.probes == 6)
        #expect(board[Self.key("s2001")]?.statistics?.failures == ["connect_refused": 2, "status": 1])
    }

    @Test("concurrency bounds the probes in flight; shared targets are probed once per round")
    func concurrency() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set(Array(3000..<3040))
        let collected = Collected()
        let configuration = ProbeScheduler.Configuration(concurrency: 4, jitter: .zero)
        let scheduler = self.scheduler(source, probe, clock, collected, configuration: configuration)
        let board = await scheduler.runRound()
        #expect(board.lastRound?.probes == 40)
        #expect(probe.maxInFlight <= 4)
        #expect(probe.maxInFlight >= 2)

        // Two backends listing the same server: one probe, the result recorded under both keys.
        let target = ProbeTarget(host: "127.0.0.1", port: 3100, path: "/ws")
        let other = ProbeKey.server(ServerKey(backend: "be_backup", server: "s3100"), instance: "edge-1")
        source.plan.withLockedValue {
            $0 = ProbePlan(entries: [
                PlannedProbe(key: Self.key("s3100"), disposition: .probe(target, mode: .full)),
                PlannedProbe(key: other, disposition: .probe(target, mode: .full)),
            ])
        }
        let shared = await scheduler.runRound()
        #expect(probe.calls(3100) == 1)
        #expect(shared.entries.count == 2)
        #expect(shared[other]?.lastResult?.passed == true)
        #expect(shared[Self.key("s3100")]?.statistics?.probes == 1)
    }

    @Test("servers that leave the plan are forgotten; those of an unreachable instance are kept and probed")
    func planChanges() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set([4001, 4002])
        let collected = Collected()
        let scheduler = self.scheduler(source, probe, clock, collected)
        await scheduler.runRound()

        source.set([], unavailable: ["edge-1"])  // HAProxy unreachable this round
        var board = await scheduler.runRound()
        #expect(board.entries.count == 2)
        #expect(probe.calls(4001) == 2)
        #expect(board[Self.key("s4001")]?.statistics?.probes == 2)

        source.set([4001])  // 4002 was removed from HAProxy's configuration
        board = await scheduler.runRound()
        #expect(board.entries.keys.sorted() == [Self.key("s4001")])
        #expect(probe.calls(4002) == 2)

        source.set([], notProbeable: ["s4001": "in MAINT"])
        board = await scheduler.runRound()
        #expect(board[Self.key("s4001")]?.notProbeable == "in MAINT")
        #expect(board[Self.key("s4001")]?.lastResult == nil)
        #expect(board[Self.key("s4001")]?.health.state == .unknown)
    }

    @Test("a one-round scheduler (haws status --probe) can skip statistics: results and health only")
    func withoutStatistics() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set([8001])
        let configuration = ProbeScheduler.Configuration(jitter: .zero, keepsStatistics: false)
        let scheduler = self.scheduler(source, probe, clock, Collected(), configuration: configuration)
        let board = await scheduler.runRound()
        #expect(board[Self.key("s8001")]?.lastResult?.passed == true)
        #expect(board[Self.key("s8001")]?.health.state == .passing)
        #expect(board[Self.key("s8001")]?.statistics == nil)
    }

    @Test("probes cancelled by a shutdown are not recorded: no failure event, health unchanged")
    func cancelledIsNotAFailure() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set([9001])
        let collected = Collected()
        let scheduler = self.scheduler(source, probe, clock, collected)
        await scheduler.runRound()
        probe.fail(9001, .cancelled)
        let board = await scheduler.runRound()
        #expect(collected.eventList.isEmpty)
        #expect(board[Self.key("s9001")]?.health.state == .passing)
        #expect(board[Self.key("s9001")]?.statistics?.probes == 1)
        #expect(board.lastRound?.failed == 0)
    }

    @Test("the per-object mode of the plan reaches the probe function")
    func modes() async {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        let target = ProbeTarget(host: "127.0.0.1", port: 5001)
        source.plan.withLockedValue {
            $0 = ProbePlan(entries: [PlannedProbe(key: Self.key("s5001"), disposition: .probe(target, mode: .connectOnly))])
        }
        let scheduler = self.scheduler(source, probe, clock, Collected())
        let board = await scheduler.runRound()
        #expect(probe.modes == [.connectOnly])
        #expect(board[Self.key("s5001")]?.mode == .connectOnly)
    }

    @Test("run() starts a round every interval at a fixed rate and stops when cancelled")
    func cadence() async throws {
        let clock = FakeClock(advancesOnSleep: true)
        let probe = FakeProbe(clock: clock)
        let source = PlanSource()
        source.set([6001])
        let collected = Collected()
        let configuration = ProbeScheduler.Configuration(interval: .seconds(10), jitter: .zero)
        let scheduler = self.scheduler(source, probe, clock, collected, configuration: configuration)
        let task = Task { await scheduler.run() }
        let clockNow = ContinuousClock()
        let deadline = clockNow.now + TestDeadline.scaled(.seconds(10))
        while collected.boardCount < 5, clockNow.now < deadline {
            await Task.yield()
        }
        task.cancel()
        await task.value
        #expect(collected.boardCount >= 5)
        // Rounds take no fake time here, so every wait is the whole interval: rounds start 10 s apart.
        #expect(clock.slept.prefix(4).allSatisfy { $0 == .seconds(10) }, "\(clock.slept)")
        let boards = collected.boards.withLockedValue { $0 }
        let starts = boards.prefix(3).compactMap { $0.lastRound?.startedAt.timeIntervalSince1970 }
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $1 - $0 == 10 }, "\(starts)")
    }

    @Test("a round longer than the interval counts as an overrun and the next starts at once")
    func overrun() async {
        let clock = FakeClock(advancesOnSleep: true)
        let source = PlanSource()
        source.set([7001])
        let collected = Collected()
        let slow: ProbeScheduler.Probe = { target, options in
            clock.advance(.seconds(12))  // the probe "takes" longer than the interval
            return ProbeResult(
                target: target,
                mode: options.mode,
                failure: nil,
                timings: ProbeTimings(total: .seconds(12)),
                startedAt: Date(),
                finishedAt: Date()
            )
        }
        let scheduler = ProbeScheduler(
            configuration: ProbeScheduler.Configuration(interval: .seconds(10), jitter: .zero),
            targets: source.targets,
            probe: slow,
            clock: ProbeScheduler.Clock(clock.source),
            onBoard: { board in collected.boards.withLockedValue { $0.append(board) } }
        )
        let task = Task { await scheduler.run() }
        let clockNow = ContinuousClock()
        let deadline = clockNow.now + TestDeadline.scaled(.seconds(10))
        while collected.boardCount < 3, clockNow.now < deadline {
            await Task.yield()
        }
        task.cancel()
        await task.value
        #expect(await scheduler.board.overruns >= 2)
        #expect(clock.slept.isEmpty)
    }

    // MARK: - ProbeHealth alone

    func result(_ failure: ProbeFailure?) -> ProbeResult {
        ProbeResult(
            target: ProbeTarget(host: "10.0.0.1", port: 80),
            mode: .full,
            failure: failure,
            timings: ProbeTimings(),
            startedAt: Date(timeIntervalSince1970: 0),
            finishedAt: Date(timeIntervalSince1970: 0)
        )
    }

    @Test("fall and rise: a state changes only after that many results agree")
    func fallAndRise() {
        var health = ProbeHealth()
        let key = Self.key("s1")
        let t = Date(timeIntervalSince1970: 100)
        let refused = ProbeFailure.connectRefused(address: "10.0.0.1:80")
        #expect(health.observe(self.result(nil), key: key, at: t, fall: 3, rise: 2) == nil)
        #expect(health.state == .passing)
        #expect(health.since == t)
        #expect(health.observe(self.result(refused), key: key, at: t, fall: 3, rise: 2) == nil)
        #expect(health.observe(self.result(refused), key: key, at: t, fall: 3, rise: 2) == nil)
        #expect(health.state == .passing)
        let down = health.observe(self.result(refused), key: key, at: t.addingTimeInterval(30), fall: 3, rise: 2)
        #expect(down?.kind == .probeFailure)
        #expect(health.state == .failing)
        #expect(health.since == t.addingTimeInterval(30))
        #expect(health.consecutiveFailures == 3)
        #expect(health.observe(self.result(nil), key: key, at: t, fall: 3, rise: 2) == nil)
        #expect(health.state == .failing)
        let up = health.observe(self.result(nil), key: key, at: t, fall: 3, rise: 2)
        #expect(up?.kind == .probeRecovered)
        #expect(up?.before == "connect_refused")
        #expect(health.state == .passing)
        #expect(health.failureCode == nil)
    }
}

extension Duration {
    fileprivate var seconds: TimeInterval {
        let (seconds, attoseconds) = self.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
