import Foundation
import HawsCore
import HawsTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import HawsProbe

/// The probe budget: rounds run what the budget buys at the measured cost per probe; failing targets are re-probed
/// at the next round; every target is probed within the stated period; a small setup is probed whole every round.
@Suite("Probe budget")
struct ProbeBudgetTests {
    typealias Fake = ProbeSchedulerTests

    /// A probe whose CPU cost the test sets: each call adds `cost` to the meter the scheduler reads.
    final class CostlyProbe: Sendable {
        let cpu = NIOLockedValueBox(Duration.zero)
        let calls = NIOLockedValueBox<[Int: Int]>([:])
        let failing = NIOLockedValueBox<Set<Int>>([])
        let cost: Duration

        init(cost: Duration) { self.cost = cost }

        func calls(_ port: Int) -> Int { self.calls.withLockedValue { $0[port] ?? 0 } }

        var probe: ProbeScheduler.Probe {
            { target, options in
                self.cpu.withLockedValue { $0 += self.cost }
                self.calls.withLockedValue { $0[target.port, default: 0] += 1 }
                let failed = self.failing.withLockedValue { $0.contains(target.port) }
                return ProbeResult(
                    target: target, mode: options.mode,
                    failure: failed ? .connectRefused(address: "127.0.0.1:\(target.port)") : nil,
                    timings: ProbeTimings(connect: .microseconds(100), total: .microseconds(300)),
                    startedAt: Date(), finishedAt: Date())
            }
        }

        var meter: @Sendable () async -> Duration { { self.cpu.withLockedValue { $0 } } }
    }

    func scheduler(_ source: Fake.PlanSource, _ probe: CostlyProbe, budget: Double?) -> ProbeScheduler {
        ProbeScheduler(
            configuration: ProbeScheduler.Configuration(
                interval: .seconds(10), jitter: .zero, budget: budget, initialProbeCost: .milliseconds(10)),
            targets: source.targets, probe: probe.probe, probeCPU: probe.meter, clock: ProbeScheduler.Clock(ManualClock(advancesOnSleep: true).source))
    }

    @Test("100 targets at 10 ms each and 3% of a core: 30 a round, every one within 4 rounds, the period says 40 s")
    func largeSetupIsSpreadOverRounds() async throws {
        let source = Fake.PlanSource()
        let ports = Array(9000..<9100)
        source.set(ports)
        let probe = CostlyProbe(cost: .milliseconds(10))
        let scheduler = self.scheduler(source, probe, budget: 0.03)
        var boards: [ProbeBoard] = []
        for _ in 0..<4 {
            boards.append(await scheduler.runRound())
        }
        #expect(boards.map { $0.lastRound?.probes } == [30, 30, 30, 30])
        #expect(ports.allSatisfy { probe.calls($0) >= 1 }, "never probed: \(ports.filter { probe.calls($0) == 0 })")
        let budget = try #require(boards.last?.budget)
        #expect(budget.probesPerRound == 30 && budget.targets == 100)
        #expect(budget.period == .seconds(40))
        #expect(abs((budget.costPerProbe - .milliseconds(10)) / .microseconds(1)) < 1, "\(budget.costPerProbe)")
        #expect(abs(budget.used - 0.03) < 0.000_1, "\(budget.used)")
        #expect(budget.limit == 0.03)
    }

    /// Memory at 10,000 servers: each board a consumer still holds must share the entries a round did not change,
    /// not hold a copy of every entry (~1 KB each inline: several whole copies were ~20 MB each).
    @Test("a new board shares the entries its round did not change with the board before")
    func boardsShareUnchangedEntries() async throws {
        let source = Fake.PlanSource()
        source.set(Array(9000..<9100))
        let probe = CostlyProbe(cost: .milliseconds(10))
        let scheduler = self.scheduler(source, probe, budget: 0.03)
        let first = await scheduler.runRound()
        let second = await scheduler.runRound()
        let probed = Set(second.news(since: first).map(\.key))
        #expect(probed.count == 30)
        for (key, entry) in second.entries {
            let before = try #require(first.entries[key])
            #expect((entry.box === before.box) == !probed.contains(key), "\(key)")
        }
        #expect(MemoryLayout<ProbeBoard.Entry>.size == MemoryLayout<Int>.size, "an entry is one reference")
    }

    @Test("a failing target is re-probed at the next round, not after a whole period")
    func failingTargetsFirst() async {
        let source = Fake.PlanSource()
        source.set(Array(9000..<9100))
        let probe = CostlyProbe(cost: .milliseconds(10))
        probe.failing.withLockedValue { $0 = [9005] }
        let scheduler = self.scheduler(source, probe, budget: 0.03)
        for _ in 0..<4 {
            await scheduler.runRound()
        }
        // Probed in round 1 (the first 30 by URL), then in every round after: 4 times, while others got one.
        #expect(probe.calls(9005) == 4)
        #expect(probe.calls(9050) == 1)
    }

    /// The rotation is kept by position and rebuilt only when the plan changes: a new plan must carry each probe's
    /// last-probed time over by target, or a reload would restart the rotation from the top.
    @Test("a changed plan keeps the rotation: a server added in front is probed, the ones just probed are not again")
    func rotationSurvivesAPlanChange() async {
        let source = Fake.PlanSource()
        source.set(Array(9000..<9100))
        let probe = CostlyProbe(cost: .milliseconds(10))
        let scheduler = self.scheduler(source, probe, budget: 0.03)
        await scheduler.runRound()  // 9000..<9030
        await scheduler.runRound()  // 9030..<9060: the same plan, kept as it was
        #expect((9000..<9060).allSatisfy { probe.calls($0) == 1 })
        source.set([8999] + Array(9000..<9100))  // every position moves
        await scheduler.runRound()
        #expect(probe.calls(8999) == 1, "never probed: first")
        #expect((9060..<9089).allSatisfy { probe.calls($0) == 1 })
        #expect(probe.calls(9089) == 0)
        #expect((9000..<9060).allSatisfy { probe.calls($0) == 1 }, "probed again after the plan changed")
    }

    /// The scheduler keeps the plan's keys by position and what each is probed as in its entry, not a copy of the
    /// plan: a plan rebuilt equal every round (what discovery does) must change nothing, and every server must still
    /// be probed once per period.
    @Test("a plan rebuilt equal every round keeps the entries and probes every server once per period")
    func equalPlanEveryRound() async throws {
        let source = Fake.PlanSource()
        let ports = Array(9000..<9100)
        let probe = CostlyProbe(cost: .milliseconds(10))
        let scheduler = self.scheduler(source, probe, budget: 0.03)
        var boards: [ProbeBoard] = []
        for _ in 0..<3 {
            source.set(ports)  // a new plan value, equal to the last
            boards.append(await scheduler.runRound())
        }
        #expect(ports.prefix(90).allSatisfy { probe.calls($0) == 1 }, "probed twice or never within the period")
        #expect(ports.suffix(10).allSatisfy { probe.calls($0) == 0 })
        source.set(ports)
        boards.append(await scheduler.runRound())
        #expect(ports.allSatisfy { probe.calls($0) >= 1 }, "never probed: \(ports.filter { probe.calls($0) == 0 })")
        #expect(boards.last?.budget?.period == .seconds(40))
        // An entry the last round did not probe is the very value it was: the equal plan rebuilt nothing.
        let probed = Set(boards[3].news(since: boards[2]).map(\.key))
        for (key, entry) in boards[3].entries where !probed.contains(key) {
            #expect(try #require(boards[2].entries[key]).isSameValue(as: entry), "\(key)")
        }
    }

    /// What a server is probed as lives only in its entry: a new address under the same key (a reload that moved
    /// it), a new mode, or a reason not to probe must each be seen by comparing the plan with the entries.
    @Test("a server's new address, mode or reason under the same key is picked up at the next round")
    func changeInPlaceIsSeen() async throws {
        let source = Fake.PlanSource()
        let probe = CostlyProbe(cost: .milliseconds(1))
        let scheduler = self.scheduler(source, probe, budget: nil)
        func plan(_ target: Int, mode: ProbeOptions.Mode = .full, reason: String? = nil) {
            let moved = PlannedProbe(
                key: Fake.key("s9001"),
                disposition: reason.map { .notProbeable(reason: $0) }
                    ?? .probe(ProbeTarget(host: "127.0.0.1", port: target, path: "/ws"), mode: mode))
            let first = PlannedProbe(
                key: Fake.key("s9000"),
                disposition: .probe(ProbeTarget(host: "127.0.0.1", port: 9000, path: "/ws"), mode: .full))
            source.plan.withLockedValue { $0 = ProbePlan(entries: [first, moved]) }
        }
        plan(9001)
        await scheduler.runRound()
        await scheduler.runRound()
        var board = await scheduler.runRound()
        #expect(board[Fake.key("s9001")]?.statistics?.probes == 3)
        plan(9101)  // the same server at a new port
        board = await scheduler.runRound()
        #expect(probe.calls(9101) == 1 && probe.calls(9001) == 3)
        #expect(board[Fake.key("s9001")]?.target?.port == 9101)
        #expect(board[Fake.key("s9001")]?.statistics?.probes == 1, "the old address's window was kept")
        plan(9101, mode: .connectOnly)
        board = await scheduler.runRound()
        #expect(board[Fake.key("s9001")]?.mode == .connectOnly)
        #expect(board[Fake.key("s9001")]?.lastResult?.mode == .connectOnly)
        plan(9101, reason: "in MAINT")
        board = await scheduler.runRound()
        #expect(board[Fake.key("s9001")]?.notProbeable == "in MAINT" && probe.calls(9101) == 2)
        #expect(board[Fake.key("s9001")]?.target == nil && board[Fake.key("s9001")]?.lastResult == nil)
        plan(9101)
        board = await scheduler.runRound()
        #expect(board[Fake.key("s9001")]?.notProbeable == nil && probe.calls(9101) == 3)
        #expect(probe.calls(9000) == 7)
    }

    @Test("a small setup is probed whole every round, as without a budget")
    func smallSetupEveryRound() async throws {
        let source = Fake.PlanSource()
        source.set([9000, 9001, 9002, 9003, 9004, 9005])
        let probe = CostlyProbe(cost: .microseconds(400))
        let scheduler = self.scheduler(source, probe, budget: 0.03)
        var board = ProbeBoard.empty
        for _ in 0..<3 {
            board = await scheduler.runRound()
        }
        #expect((9000...9005).allSatisfy { probe.calls($0) == 3 })
        let budget = try #require(board.budget)
        #expect(budget.period == .seconds(10) && budget.probesPerRound == 6)
    }

    @Test("without a budget every target is probed every round, whatever it costs")
    func noBudget() async {
        let source = Fake.PlanSource()
        source.set(Array(9000..<9100))
        let probe = CostlyProbe(cost: .milliseconds(10))
        let scheduler = self.scheduler(source, probe, budget: nil)
        let board = await scheduler.runRound()
        #expect(board.lastRound?.probes == 100)
        #expect(board.budget?.limit == nil && board.budget?.period == .seconds(10))
    }

    @Test("--probe-budget and [probes] budget: a share of one core, or off")
    func parsing() {
        #expect(ProbeSettings.budget(parsing: "3%") == .success(0.03))
        #expect(ProbeSettings.budget(parsing: " 0.5 % ") == .success(0.005))
        #expect(ProbeSettings.budget(parsing: "off") == .success(nil))
        for bad in ["3", "0%", "150%", "x%", "", "nan%"] {
            guard case .failure(let error) = ProbeSettings.budget(parsing: bad) else {
                Issue.record("\(bad) accepted")
                continue
            }
            #expect(!error.reason.isEmpty)
        }
        #expect(ProbeSettings().budget == ProbeSettings.defaultBudget)
    }
}
