import Foundation
import HawsClient
import HawsCore
import HawsLab
import HawsTestSupport
import NIOConcurrencyHelpers
import Synchronization
import Testing

/// haws's tunnel counts against ground truth: the backends' own count of the WebSockets they hold, with a few
/// thousand HTTP/1.1 tunnels and mixed traffic on the same backends at the same time.
///
/// One master-worker HAProxy in front of six lab servers in two backends (`ws_a` on `/a`, `ws_b` on `/b`). Around
/// 2,400 tunnels stay open while slow HTTP requests (answered after 1.2 s, always about 24 in flight on `ws_a`) and
/// refused upgrades (403 and 200 instead of 101, on both backends) run beside them; then a server is drained and
/// its tunnels closed, and HAProxy is reloaded with tunnels left on the old worker. At each moment, once the
/// tunnels are settled, every read must hold on every poll (no retry hides a wrong one):
/// - the counters alone (`readStats`, what each stats poll shows between dumps): every backend total exact; each
///   server exact where haws says exact (lower == upper), else the truth inside [lower, upper]; never more
///   tunnels than the row's sessions;
/// - the counters with a dump older than them (the engine's merge): the same bounds, the dump's count kept inside;
/// - the one-shot read (`read()`, dumps included, old workers through the master socket): `per-server`, every
///   server exact, old workers' tunnels counted once;
/// - `haws status --json` (at three moments): the same, in the document scripts read.
/// The file descriptors stay far from the 20,000 cap: the test process holds at most 2,460 client and 2,460
/// server ends, HAProxy about twice the tunnels it carries.
@Suite(.serialized) struct TunnelGroundTruthTests {
    static let servers = ["ws_a": ["a1", "a2", "a3"], "ws_b": ["b1", "b2", "b3"]]
    static let drained = ServerKey(backend: "ws_a", server: "a1")

    static var spec: LabSpec {
        LabSpec(
            backends: [
                .init("ws_a", pathPrefix: "/a", servers: servers["ws_a"]!.map { .init($0) }),
                .init("ws_b", pathPrefix: "/b", servers: servers["ws_b"]!.map { .init($0) }),
            ],
            defaultBackend: "ws_a", socketLevels: [.admin], statsPage: nil, masterWorker: true,
            // HAProxy's default checks (2 s, which is also their timeout): the lab's fast ones (500 ms) time out
            // while 2,400 upgrades keep the test's event loops busy, and a server marked DOWN answers 503.
            healthCheck: .haproxyDefault, maxconn: 8_000)
    }

    @Test func countsHoldAgainstTheBackendsOwnCountUnderMixedTraffic() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let lab = try await Lab.start(Self.spec)
        var run = try GroundTruthRun(lab: lab)
        let traffic = MixedTraffic(
            port: lab.frontendPort, slowPath: "/a/slow?delay_ms=1200", slowLoops: 24,
            refusedPaths: ["/b/refused?status=403", "/a/refused?status=200"])
        do {
            try await run.body(traffic: traffic)
        } catch {
            Issue.record("HAProxy's log:\n\(lab.haproxy.logTail(lines: 30))")
            await traffic.stop()
            await lab.shutdown()
            throw error
        }
        await traffic.stop()
        await lab.shutdown()
        print("TunnelGroundTruthTests: \(run.seen) in \(clock.now - started)")
    }
}

extension TunnelGroundTruthTests {
    /// One backend of 40 servers: its `show stat` rows no longer fit one buffer, so HAProxy yields between them
    /// and each row is read at its own moment while short requests come and go.
    static var manyServersSpec: LabSpec {
        LabSpec(
            backends: [.init("ws_many", pathPrefix: "/m", servers: (1...40).map { .init("m\($0)") })],
            defaultBackend: "ws_many", socketLevels: [.admin], statsPage: nil, masterWorker: true,
            healthCheck: .haproxyDefault, maxconn: 8_000)
    }

    /// A request counted on a server row may have ended before the BACKEND row is read: the bounds must still
    /// hold the truth on every poll (they once took the backend's sessions alone and claimed a false exact count).
    @Test func rowsReadAtDifferentMomentsStillBoundTheTruth() async throws {
        let lab = try await Lab.start(Self.manyServersSpec)
        var run = try GroundTruthRun(lab: lab)
        let traffic = MixedTraffic(
            port: lab.frontendPort, slowPath: "/m/short?delay_ms=1", slowLoops: 2, refusedPaths: [])
        do {
            let pool = lab.clients(window: 128, timeout: .seconds(20))
            run.currentPools = [pool]
            _ = try await pool.open(count: 400, path: "/m/chat")
            try await run.settle("400 tunnels on 40 servers")
            traffic.start()
            for round in 1...10 { try await run.check("short requests, round \(round)", polls: 50) }
        } catch {
            await traffic.stop()
            await lab.shutdown()
            throw error
        }
        await traffic.stop()
        #expect(traffic.counters.slowAnswered > 100, "\(traffic.counters)")
        await lab.shutdown()
        print("TunnelGroundTruthTests (40 servers): \(run.seen)")
    }
}

/// What the strict checks saw, so the test proves it exercised both kinds of count.
struct CountsSeen: CustomStringConvertible {
    var exactFromCounters = 0
    var boundedFromCounters = 0
    var dumpReads = 0
    var statusDocuments = 0
    var description: String {
        "\(exactFromCounters) exact and \(boundedFromCounters) bounded server counts from counters, \(dumpReads) full "
            + "reads, \(statusDocuments) status documents"
    }
}

/// One run of the ground-truth scenario against a started lab.
struct GroundTruthRun {
    let lab: Lab
    /// The worker's admin socket alone: counters, and `show sess all` when they leave a count open.
    let socket: InstanceSpec
    /// The admin socket and the master socket: old workers' tunnels too.
    let withMaster: InstanceSpec
    let socketPath: String
    let masterPath: String
    /// Clients whose tunnels the current worker holds, and those left on old workers by a reload.
    var currentPools: [WebSocketClientPool] = []
    var oldPools: [WebSocketClientPool] = []
    var seen = CountsSeen()

    /// Every server of the lab (the test's whole fleet).
    let keys: [ServerKey]

    init(lab: Lab) throws {
        self.lab = lab
        keys = lab.backendServers.map { ServerKey(backend: $0.backend, server: $0.name) }
        socketPath = try #require(lab.adminSocketPath)
        masterPath = try #require(lab.masterSocketPath)
        socket = try InstanceSpec.fromFlags(socket: socketPath)
        withMaster = try InstanceSpec.fromFlags(socket: socketPath, masterSocket: masterPath)
    }

    mutating func body(traffic: MixedTraffic) async throws {
        // 1. Tunnels only: 1,200 per backend. Every count follows from the counters.
        let poolA = lab.clients(window: 128, timeout: .seconds(20))
        let poolB = lab.clients(window: 128, timeout: .seconds(20))
        currentPools = [poolA, poolB]
        async let openedA = poolA.open(count: 1_200, path: "/a/chat")
        async let openedB = poolB.open(count: 1_200, path: "/b/feed")
        _ = try await (openedA, openedB)
        try await settle("tunnels only")
        try await check("tunnels only", countersExact: ["ws_a", "ws_b"], status: [])

        // 2. Slow requests and refused upgrades beside the tunnels: ws_a's counters now only bound its servers.
        traffic.start()
        let bounded = await eventually(timeout: .seconds(15)) {
            guard case .read(let snapshot) = await InstanceReader(spec: socket).readStats() else { return false }
            return snapshot.tunnelBasis["ws_a"]?.isExact == false && traffic.counters.refused >= 20
        }
        #expect(bounded, "ws_a's counters never showed requests in flight: \(traffic.counters)")
        try await check("slow requests and refused upgrades", status: [["--socket", socketPath]])

        // 3. Drain a1 with `haws drain --wait`; its tunnels stay, new ones go to a2 and a3.
        let before = try await truth()
        let drainedBefore = before.total[Self.drained] ?? 0
        #expect(drainedBefore > 100, "round robin gave a1 \(drainedBefore) tunnels")
        let drainDone = DoneFlag()
        let audit = lab.directory.file("audit.ndjson")
        let drain = Task { [socketPath] in
            defer { drainDone.set() }
            return try await Haws.run([
                "drain", Self.drained.description, "--socket", socketPath, "--wait", "--interval", "200ms",
                "--timeout-wait", "90s", "--audit-log", audit,
            ])
        }
        do {
            try await lab.waitForStatus("ws_a", "a1", timeout: .seconds(10)) { $0.hasPrefix("DRAIN") }
            let newcomers = try await poolA.open(count: 60, path: "/a/late")
            #expect(newcomers.allSatisfy { $0.serverName != "a1" }, "a drained server took new tunnels")
            try await settle("a1 drained")
            try await check("a1 drained, its tunnels stay")
            let staleDump = try await dump()
            #expect(!drainDone.isSet, "haws drain ended while a1 held tunnels")

            // 4. Half of a1's tunnels close; haws drain keeps waiting.
            let onDrained = await poolA.openConnections.filter { $0.serverName == "a1" }
            for connection in onDrained.prefix(onDrained.count / 2) { await connection.abort() }
            try await settle("half of a1 closed")
            try await check("half of a1's tunnels closed", staleDump: staleDump)
            #expect(!drainDone.isSet, "haws drain ended while a1 held tunnels")

            // 5. The rest close: haws drain sees zero and ends.
            for connection in onDrained.dropFirst(onDrained.count / 2) { await connection.abort() }
        } catch {
            drain.cancel()
            throw error
        }
        let output = try await drain.value
        #expect(output.code == 0, "haws drain: \(output.stdout.suffix(600)) \(output.stderr)")
        #expect(output.stdout.contains("\(Self.drained): drained"), "\(output.stdout.suffix(600))")
        #expect(output.stdout.contains("DRAIN set; \(drainedBefore) tunnels"), "\(output.stdout.prefix(300))")
        try await settle("a1 drained to zero")
        #expect(try await truth().total[Self.drained] == 0)
        try await check("a1 drained to zero")
        _ = try await lab.runtime("set server ws_a/a1 state ready")

        // 6. Reload: every tunnel so far stays on the old worker; new ones go to the new worker.
        let afterA = lab.clients(window: 128, timeout: .seconds(20))
        let afterB = lab.clients(window: 128, timeout: .seconds(20))
        oldPools = currentPools
        currentPools = [afterA, afterB]
        try await lab.haproxy.reload()
        async let newA = afterA.open(count: 150, path: "/a/after")
        async let newB = afterB.open(count: 150, path: "/b/after")
        _ = try await (newA, newB)
        try await settle("after the reload")
        let withMasterFlags = ["--socket", socketPath, "--master-socket", masterPath]
        try await check("after the reload, tunnels on the old worker", status: [withMasterFlags])

        // 7. The old worker's tunnels close: it leaves, nothing of it stays counted.
        for pool in oldPools { await pool.abortAll() }
        oldPools = []
        try await settle("old worker's tunnels closed")
        try await check("old worker's tunnels closed")

        // 8. Traffic stops, every tunnel closes: zero everywhere.
        await traffic.stop()
        let counters = traffic.counters
        #expect(counters.upgradedByMistake == 0, "refused upgrades that got a 101: \(counters)")
        #expect(counters.slowAnswered > 0 && counters.refused > 0, "\(counters)")
        for pool in currentPools { await pool.abortAll() }
        try await settle("all closed")
        try await check("all closed", countersExact: ["ws_a", "ws_b"], status: [withMasterFlags])
        #expect(seen.boundedFromCounters > 0 && seen.exactFromCounters > 0, "\(seen)")
    }

    // MARK: - Ground truth

    /// Tunnels per server: what the backends count (`total`), and the part the clients opened before the last
    /// reload (`old`, held by the old worker) and after (`current`), from the server each 101 named.
    struct Truth: Equatable, CustomStringConvertible {
        var total: [ServerKey: Int] = [:]
        var old: [ServerKey: Int] = [:]
        var current: [ServerKey: Int] = [:]
        func sum(_ counts: [ServerKey: Int], backend: String) -> Int {
            counts.reduce(0) { $0 + ($1.key.backend == backend ? $1.value : 0) }
        }
        var description: String {
            total.keys.sorted().map { "\($0.server)=\(total[$0] ?? 0)(old \(old[$0] ?? 0))" }.joined(separator: " ")
        }
    }

    func truth() async throws -> Truth {
        var truth = Truth()
        for key in keys {
            truth.total[key] = try #require(lab.server(key.backend, key.server)).openWebSockets
        }
        truth.old = await clientCounts(oldPools)
        truth.current = await clientCounts(currentPools)
        return truth
    }

    func clientCounts(_ pools: [WebSocketClientPool]) async -> [ServerKey: Int] {
        var counts: [ServerKey: Int] = [:]
        for key in keys { counts[key] = 0 }
        for pool in pools {
            for connection in await pool.openConnections {
                guard let name = connection.serverName, let key = keys.first(where: { $0.server == name }) else {
                    continue
                }
                counts[key, default: 0] += 1
            }
        }
        return counts
    }

    static let drained = TunnelGroundTruthTests.drained

    /// Waits until the tunnels are settled: the backends count what the clients hold (old + current), and the
    /// current worker's counters give each backend that total. Only this waits; `check` then reads strictly.
    func settle(_ moment: String) async throws {
        var last = Truth()
        var lastTotals: [String: Int?] = [:]
        let settled = try await eventually(timeout: .seconds(20), interval: .milliseconds(50)) {
            last = try await truth()
            guard keys.allSatisfy({ last.total[$0] == (last.old[$0] ?? 0) + (last.current[$0] ?? 0) }),
                case .read(let snapshot) = await InstanceReader(spec: socket).readStats()
            else { return false }
            lastTotals = [:]
            for backend in snapshot.backends where keys.contains(where: { $0.backend == backend.name }) {
                lastTotals[backend.name] = snapshot.tunnels(of: backend)
            }
            return lastTotals.allSatisfy { $0.value == last.sum(last.current, backend: $0.key) }
        }
        #expect(settled, "\(moment): not settled: truth \(last), counters' backend totals \(lastTotals)")
    }

    // MARK: - Strict checks

    /// Reads the instance every way haws does and holds each read to the ground truth, with no retry.
    ///
    /// - Parameters:
    ///   - countersExact: backends whose counters must give every server exactly (nothing but tunnels on them).
    ///   - staleDump: a dump from an earlier moment, merged into fresh counters as the engine does between dumps.
    ///   - status: `haws status --json` argument sets to run as well.
    ///   - polls: how many stats polls (counters alone) to check before the full read.
    mutating func check(
        _ moment: String, countersExact: Set<String> = [], staleDump: [ServerKey: TunnelTally]? = nil,
        status: [[String]] = [], polls: Int = 3
    ) async throws {
        let truth = try await truth()
        for _ in 0..<polls {
            guard case .read(var snapshot) = await InstanceReader(spec: socket).readStats() else {
                Issue.record("\(moment): readStats failed")
                return
            }
            expectCounters(snapshot, truth: truth, moment: "\(moment) (counters)", countersExact: countersExact)
            if let staleDump {
                snapshot.serverTunnels = staleDump
                expectCounters(snapshot, truth: truth, moment: "\(moment) (counters + older dump)", countersExact: [])
            }
        }
        guard case .read(let full) = await InstanceReader(spec: withMaster).read() else {
            Issue.record("\(moment): read() failed")
            return
        }
        seen.dumpReads += 1
        #expect(full.tunnelDetail == "per-server", "\(moment)")
        #expect(full.oldWorkersUnread.isEmpty, "\(moment): \(full.oldWorkersUnread)")
        #expect(full.oldWorkerTunnelTotal == truth.old.values.reduce(0, +), "\(moment): old workers, truth \(truth)")
        for backend in full.backends where keys.contains(where: { $0.backend == backend.name }) {
            let total = truth.sum(truth.total, backend: backend.name)
            #expect(full.tunnels(of: backend) == total, "\(moment): \(backend.name)")
            for server in backend.servers {
                // A fresh dump gives the number; the counters still bound it (old workers added to both bounds).
                let real = truth.total[server.key] ?? -1
                let count = full.tunnelCount(of: server)
                let row = "\(moment) (full read): \(server.key) \(String(describing: count)), truth \(truth)"
                #expect(count?.count == real, "\(row)")
                #expect((count?.lower ?? Int.max) <= real && real <= (count?.upper ?? -1), "\(row)")
            }
        }
        for arguments in status {
            try await expectStatusDocument(arguments, truth: truth, moment: moment)
        }
        let after = try await self.truth()
        #expect(after == truth, "\(moment): the tunnels moved while checking: \(truth) -> \(after)")
    }

    /// One snapshot's counters (with its dump, if any) against the current worker's truth.
    mutating func expectCounters(
        _ snapshot: InstanceSnapshot, truth: Truth, moment: String, countersExact: Set<String>
    ) {
        for backend in snapshot.backends where keys.contains(where: { $0.backend == backend.name }) {
            let basis = snapshot.tunnelBasis[backend.name]
            #expect(basis != nil, "\(moment): no basis for \(backend.name)")
            let total = truth.sum(truth.current, backend: backend.name)
            #expect(snapshot.tunnels(of: backend) == total, "\(moment): \(backend.name) total, truth \(truth)")
            if countersExact.contains(backend.name) {
                #expect(basis?.isExact == true, "\(moment): \(backend.name) \(String(describing: basis))")
            }
            for server in backend.servers {
                let real = truth.current[server.key] ?? -1
                guard let count = snapshot.tunnelCount(of: server, basis: basis) else {
                    Issue.record("\(moment): no count for \(server.key)")
                    continue
                }
                let row = "\(moment): \(server.key) count \(count.count) in \(count.lower)...\(count.upper), "
                    + "scur \(server.sessions), "
                    + "truth \(real), basis \(String(describing: basis))"
                #expect(count.lower <= real && real <= count.upper, "\(row)")
                #expect(count.lower <= count.count && count.count <= count.upper, "\(row)")
                #expect(count.upper <= server.sessions, "tunnels above sessions: \(row)")
                if count.isExact {
                    #expect(count.count == real, "\(row)")
                    if snapshot.serverTunnels == nil { seen.exactFromCounters += 1 }
                } else if snapshot.serverTunnels == nil {
                    seen.boundedFromCounters += 1
                }
            }
        }
    }

    /// `haws status --json`: backend totals and every server as the read says, old workers once.
    mutating func expectStatusDocument(_ arguments: [String], truth: Truth, moment: String) async throws {
        let output = try await Haws.run(["status", "--json"] + arguments)
        let report = try StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
        seen.statusDocuments += 1
        let instance = try #require(report.instances.first)
        #expect(instance.reachable, "\(moment): \(output.stderr)")
        // Up to 5,000 connections `haws status` reads the dump for ages: every server counted from it.
        #expect(instance.tunnelDetail == "per-server", "\(moment) (status)")
        if arguments.contains("--master-socket") {
            #expect(instance.oldWorkerTunnels == truth.old.values.reduce(0, +), "\(moment) (status): old workers")
        }
        for backend in report.backends where keys.contains(where: { $0.backend == backend.name }) {
            let total = truth.sum(truth.total, backend: backend.name)
            #expect(backend.tunnels == total, "\(moment) (status): \(backend.name)")
            for server in backend.servers {
                let key = ServerKey(backend: backend.name, server: server.name)
                let real = truth.total[key] ?? -1
                let row = "\(moment) (status): \(key) \(String(describing: server.tunnels)) "
                    + "exact \(String(describing: server.tunnelsExact)) "
                    + "\(String(describing: server.tunnelsLower))...\(String(describing: server.tunnelsUpper)), "
                    + "truth \(real)"
                if server.tunnelsExact == true {
                    #expect(server.tunnels == real, "\(row)")
                } else {
                    #expect((server.tunnelsLower ?? Int.max) <= real && real <= (server.tunnelsUpper ?? -1), "\(row)")
                }
                if truth.old.values.reduce(0, +) == 0 {
                    #expect((server.tunnels ?? 0) <= server.sessions, "tunnels above sessions: \(row)")
                }
            }
        }
    }

    /// The current worker's tunnels per server from one `show sess all`, as the engine keeps it between dumps.
    func dump() async throws -> [ServerKey: TunnelTally] {
        guard case .counted(let current, _, _, _)? = await InstanceReader(spec: socket).readTunnels() else {
            throw LabTestError("show sess all could not be read")
        }
        return current
    }
}

/// Mixed traffic beside the tunnels, until stopped (and at most a few thousand rounds per loop): GETs of `slowPath`
/// one after another in each of `slowLoops` loops (the backend answers after the `delay_ms` the path asks for), and
/// upgrades of each of `refusedPaths` in two loops each, which the backend must refuse with the `status` the path
/// names.
final class MixedTraffic: Sendable {
    struct Counters: Sendable, CustomStringConvertible {
        var slowAnswered = 0
        var slowFailed = 0
        var refused = 0
        /// Refused upgrades that did not fail the way they should (another status, a transport error).
        var refusedOtherwise = 0
        var upgradedByMistake = 0
        var description: String {
            "slow \(slowAnswered) answered, \(slowFailed) failed; refused \(refused), otherwise \(refusedOtherwise), "
                + "upgraded by mistake \(upgradedByMistake)"
        }
    }

    let port: Int
    let slowPath: String
    let slowLoops: Int
    let refusedPaths: [String]
    private let state = NIOLockedValueBox(Counters())
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    /// Each loop ends after this many rounds even if never stopped.
    static let maximumRounds = 3_000

    init(port: Int, slowPath: String, slowLoops: Int, refusedPaths: [String]) {
        self.port = port
        self.slowPath = slowPath
        self.slowLoops = slowLoops
        self.refusedPaths = refusedPaths
    }

    var counters: Counters { state.withLockedValue { $0 } }

    func start() {
        var started: [Task<Void, Never>] = []
        for _ in 0..<slowLoops { started.append(Task { await self.slowRequests() }) }
        for path in refusedPaths + refusedPaths { started.append(Task { await self.refusedUpgrades(path: path) }) }
        tasks.withLockedValue { $0 += started }
    }

    func stop() async {
        let running = tasks.withLockedValue { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private func slowRequests() async {
        for _ in 0..<Self.maximumRounds {
            guard !Task.isCancelled else { return }
            do {
                let response = try await LabHTTPClient.get(port: port, path: slowPath, timeout: .seconds(10))
                state.withLockedValue { counters in
                    if response.status == 200 { counters.slowAnswered += 1 } else { counters.slowFailed += 1 }
                }
            } catch {
                state.withLockedValue { $0.slowFailed += 1 }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func refusedUpgrades(path: String) async {
        let status = path.split(separator: "status=").last.flatMap { Int($0.prefix(3)) } ?? 0
        for _ in 0..<Self.maximumRounds {
            guard !Task.isCancelled else { return }
            do {
                let connection = try await LabWebSocketConnection.connect(port: port, path: path, timeout: .seconds(5))
                state.withLockedValue { $0.upgradedByMistake += 1 }
                await connection.abort()
            } catch let error as LabError where error.detail.contains("refused: HTTP \(status) ") {
                state.withLockedValue { $0.refused += 1 }
            } catch {
                state.withLockedValue { $0.refusedOtherwise += 1 }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Set once by a task that ended, read by the test while it runs.
final class DoneFlag: Sendable {
    private let done = Atomic<Bool>(false)
    func set() { done.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { done.load(ordering: .sequentiallyConsistent) }
}
