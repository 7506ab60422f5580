import Foundation
import HawsLab
import HawsTestSupport
import NIOConcurrencyHelpers
import Subprocess
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `haws agent` as a service runs it: the built binary in the background against a real HAProxy, read
/// through its NDJSON file, its `/metrics` and its stderr, stopped with signals.
///
/// Serialized like the status tests: each starts its own lab; on 2 cores one at a time keeps timings honest.
/// Short intervals (200 ms) keep the whole suite well under a minute.
@Suite(.serialized) struct AgentAgainstHAProxyTests {
    static let chat = "ws_chat"

    @Test func tunnelCountsFollowRealClientsWithinTwoPollsAndMetricsAgree() async throws {
        let lab = try await Lab.start(.demo)
        let directory = try TemporaryDirectory()
        let agent = try await AgentProcess.start(
            [
                "agent", "--socket", try #require(lab.adminSocketPath), "--interval", "200ms", "--sessions-interval",
                "200ms", "--output", directory.ndjson, "--prometheus", "127.0.0.1:0",
            ], directory: directory)
        do {
            let pool = lab.clients()
            #expect(try await agent.waitForSnapshots(1) > 0, "no snapshot line: \(agent.stderr)")
            _ = try await pool.open(count: 25, path: "/chat")
            try await expectTunnels(25, agent: agent, lab: lab)
            _ = await pool.close(count: 15)
            try await expectTunnels(10, agent: agent, lab: lab)

            // /metrics parses with prometheus_client and says what the NDJSON says (same polls).
            let port = try #require(await agent.metricsPort, "no metrics address in stderr: \(agent.stderr)")
            var mismatch = ""
            let agreed = try await eventually(timeout: .seconds(5)) {
                let metrics = try await Prometheus.scrape("http://127.0.0.1:\(port)/metrics")
                let line = try #require(try agent.snapshots().last)
                mismatch = Self.compare(metrics, line)
                return mismatch.isEmpty
            }
            #expect(agreed, "metrics and NDJSON differ: \(mismatch)")

            await pool.closeAll()
            try await expectTunnels(0, agent: agent, lab: lab)
            let code = await agent.terminate(.terminate)
            #expect(code == 0, "\(agent.stderr)")
            #expect(try await NDJSONSchema.problems(in: agent.ndjsonText()) == nil)
        } catch {
            await agent.kill()
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    @Test func reloadShowsTunnelsOnTheOldWorkerAndRatesNeverGoNegative() async throws {
        var spec = LabSpec.demo
        spec.masterWorker = true
        let lab = try await Lab.start(spec)
        let directory = try TemporaryDirectory()
        let agent = try await AgentProcess.start(
            [
                "agent", "--socket", try #require(lab.adminSocketPath), "--master-socket",
                try #require(lab.masterSocketPath), "--interval", "200ms", "--sessions-interval", "200ms", "--output",
                directory.ndjson,
            ], directory: directory)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 20, path: "/chat")
            let before = try await agent.waitForLine { $0.total == 20 && $0.oldWorkers == 0 }
            let oldPid = try #require(before.pid)
            try await lab.haproxy.reload()
            let after = try await agent.waitForLine(timeout: .seconds(10)) {
                $0.pid != nil && $0.pid != oldPid && $0.oldWorkers == 20
            }
            #expect(after.total == 20, "the totals stay 20 across the reload: \(after)")
            #expect(after.backendTunnels[Self.chat] == 20)
            // Let a few polls pass after the reload (counters reset), then look at every line.
            _ = try await agent.waitForSnapshots(after.index + 4)
            let text = try agent.ndjsonText()
            for line in try agent.snapshots() {
                #expect(!line.rates.contains { $0 < 0 }, "negative rate in line \(line.index): \(line.rates)")
            }
            #expect(try agent.events().contains { $0["kind"] as? String == "reload" })
            #expect(try await NDJSONSchema.problems(in: text) == nil)
            #expect(await agent.terminate(.interrupt) == 0)
            await pool.closeAll()
        } catch {
            await agent.kill()
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    @Test func killedHAProxyIsUnreachableAndRestartRecoversWithoutRestartingTheAgent() async throws {
        let lab = try await Lab.start(.demo)
        let directory = try TemporaryDirectory()
        let agent = try await AgentProcess.start(
            [
                "agent", "--socket", try #require(lab.adminSocketPath), "--interval", "200ms", "--sessions-interval",
                "200ms", "--timeout", "1s", "--output", directory.ndjson,
            ], directory: directory)
        do {
            _ = try await agent.waitForLine { $0.health == "reachable" }
            await lab.haproxy.kill()
            let down = try await agent.waitForEvent("instance_unreachable")
            #expect((down["detail"] as? String)?.isEmpty == false)
            let unreachable = try await agent.waitForLine { $0.health == "unreachable" }
            #expect(unreachable.error != nil && unreachable.pid == nil && unreachable.total == nil)
            try await lab.haproxy.restart()
            _ = try await agent.waitForEvent("instance_recovered", timeout: .seconds(10))
            let recovered = try await agent.waitForLine { $0.health == "reachable" && $0.index > unreachable.index }
            #expect(recovered.pid != nil)
            #expect(agent.isRunning, "the same agent process goes on")
            #expect(try await NDJSONSchema.problems(in: agent.ndjsonText()) == nil)
            #expect(await agent.terminate(.terminate) == 0)
        } catch {
            await agent.kill()
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    @Test func aHungInstanceDoesNotDelayAnother() async throws {
        let lab = try await Lab.start(.demo)
        let directory = try TemporaryDirectory()
        let hung = try HungSocket(path: directory.file("hung.sock"))
        let agent = try await AgentProcess.start(
            [
                "agent", "--socket", try #require(lab.adminSocketPath), "--socket", hung.path, "--interval", "200ms",
                "--sessions-interval", "200ms", "--timeout", "2s", "--output", directory.ndjson,
                "--no-probe",  // probing is not what this measures
            ], directory: directory)
        do {
            let event = try await agent.waitForEvent("instance_unreachable", timeout: .seconds(6))
            #expect((event["instance"] as? String)?.contains("hung") == true, "\(event)")
            _ = try await agent.waitForSnapshots(22)
            let lines = try agent.snapshots()
            let good = lines.filter { $0.health == "reachable" }
            #expect(lines.count - good.count <= 3, "the hung instance finishes a poll only every 2 s (its timeout)")
            // From the second line on: the first gap spans the agent's start (first session poll, first
            // writes) and measured 0.8 s on 2 busy cores. A wait on the hung instance (2 s timeout) would
            // stretch every gap, not the first alone.
            let clock = good.compactMap(\.time).dropFirst()
            let gaps = zip(clock, clock.dropFirst()).map { $1.timeIntervalSince($0) }
            #expect(good.count >= 15, "lines of the good instance: \(good.count) of \(lines.count)")
            #expect((gaps.max() ?? 99) < 0.7, "the good instance waited on the hung one: gaps \(gaps)")
            #expect(hung.accepted > 0, "the agent never connected to the hung socket")
            #expect(await agent.terminate(.terminate) == 0)
        } catch {
            await agent.kill()
            hung.close()
            await lab.shutdown()
            throw error
        }
        hung.close()
        await lab.shutdown()
        directory.remove()
    }

    @Test func sigtermDuringAWriteBurstLeavesOnlyWholeLinesAndSighupReopens() async throws {
        let lab = try await Lab.start(.demo)
        let directory = try TemporaryDirectory()
        let socket = try #require(lab.adminSocketPath)
        // Four instances (the same HAProxy) at 50 ms: 80 lines of ~4 kB a second, a steady burst that still
        // leaves the other suites running in parallel their share of 2 cores.
        let agent = try await AgentProcess.start(
            ["agent", "--interval", "50ms", "--sessions-interval", "200ms", "--output", directory.ndjson]
                + Array(repeating: ["--socket", socket], count: 4).flatMap { $0 }, directory: directory)
        do {
            _ = try await agent.waitForSnapshots(40)
            try FileManager.default.moveItem(atPath: directory.ndjson, toPath: directory.ndjson + ".1")
            agent.send(.terminalClosed)  // SIGHUP
            let reopened = await eventually(timeout: .seconds(5)) {
                FileManager.default.fileExists(atPath: directory.ndjson)
                    && ((try? agent.snapshots().count) ?? 0) >= 40
            }
            #expect(reopened, "SIGHUP did not reopen \(directory.ndjson)")
            let code = await agent.terminate(.terminate)
            #expect(code == 0, "\(agent.stderr)")
            let rotated = try String(contentsOfFile: directory.ndjson + ".1", encoding: .utf8)
            let current = try agent.ndjsonText()
            for text in [rotated, current] {
                #expect(text.hasSuffix("\n"))
                for (number, line) in text.split(separator: "\n").enumerated() {
                    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    #expect(object?["type"] != nil, "line \(number + 1) does not parse: \(line.prefix(120))...")
                }
            }
            #expect(try await NDJSONSchema.problems(in: rotated + current) == nil)
        } catch {
            await agent.kill()
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    @Test func anUnwritableOutputIsReportedOnceAndPollingGoesOn() async throws {
        let directory = try TemporaryDirectory()
        // No HAProxy needed: polls of a missing socket fail fast, and still make lines to write.
        let agent = try await AgentProcess.start(
            [
                "agent", "--socket", directory.file("missing.sock"), "--interval", "100ms", "--output", "/dev/full",
                "--prometheus", "127.0.0.1:0",
            ], directory: directory)
        do {
            let port = try #require(await agent.metricsPort, "\(agent.stderr)")
            var metrics: [String: Double] = [:]
            let polling = try await eventually(timeout: .seconds(5)) {
                metrics = try await Prometheus.scrape("http://127.0.0.1:\(port)/metrics")
                return (metrics["haws_instance_polls_total{instance=\"\(directory.file("missing.sock"))\"}"] ?? 0) >= 10
            }
            #expect(polling, "\(metrics.filter { $0.key.hasPrefix("haws_instance_polls") })")
            #expect((metrics["haws_agent_output_errors_total{}"] ?? 0) >= 10)
            #expect(await agent.terminate(.interrupt) == 0)
            let reports = agent.stderr.split(separator: "\n").filter { $0.contains("cannot write NDJSON") }
            #expect(reports.count == 1, "\(agent.stderr)")
            #expect(reports.first?.contains("/dev/full") == true && reports.first?.contains("No space left") == true)
        } catch {
            await agent.kill()
            throw error
        }
        directory.remove()
    }

    @Test func configFileOutputsRotateBySizeAndFlagsOverrideTheFile() async throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("haws.toml")
        try """
        [[instance]]
        name = "edge-1"
        socket = "\(directory.file("missing.sock"))"

        [intervals]
        stats = "10s"

        [outputs]
        ndjson = "\(directory.ndjson)"
        rotate_size = "4KB"
        rotate_keep = 2

        """.write(toFile: config, atomically: true, encoding: .utf8)
        // The file says a poll every 10 s; the flag's 20 ms wins, so the file rotates several times a second.
        let agent = try await AgentProcess.start(
            ["agent", "--config", config, "--interval", "20ms"], directory: directory)
        do {
            let rotated = await eventually(timeout: .seconds(10)) {
                FileManager.default.fileExists(atPath: directory.ndjson + ".2")
            }
            #expect(rotated, "no second rotation; stderr: \(agent.stderr)")
            #expect(await agent.terminate(.terminate) == 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
                $0.hasPrefix("agent.ndjson")
            }
            #expect(files.sorted() == ["agent.ndjson", "agent.ndjson.1", "agent.ndjson.2"])
            var all = ""
            for file in ["agent.ndjson.2", "agent.ndjson.1", "agent.ndjson"] {
                let text = try String(contentsOfFile: directory.file(file), encoding: .utf8)
                #expect(text.utf8.count <= 4 * 1024, "\(file): \(text.utf8.count) bytes")
                #expect(text.isEmpty || text.hasSuffix("\n"))
                all += text
            }
            let objects = try all.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
            #expect(objects.count >= 6)  // whole lines of ~1.3 KB across the three files
            #expect(all.contains("\"instance\":\"edge-1\""))
            #expect(try await NDJSONSchema.problems(in: all) == nil)
        } catch {
            await agent.kill()
            throw error
        }
        directory.remove()
    }

    @Test func badSettingsExitThreeAndSayWhatToWrite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("haws.toml")
        try "[outputs]\nprometheus = \"metrics.example.com:9101\"\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let fromFile = try await Haws.run(["agent", "--config", config, "--socket", directory.file("x.sock")])
        #expect(fromFile.code == 3)
        #expect(fromFile.stderr.contains("haws.toml: [outputs], key prometheus:"), "\(fromFile.stderr)")
        #expect(fromFile.stderr.contains("not an IP address"))
        #expect(fromFile.stderr.split(separator: "\n").count == 1, "a file error is one line: \(fromFile.stderr)")
        let flag = try await Haws.run(["agent", "--rotate-size", "lots", "--output", directory.ndjson])
        #expect(flag.code == 3)
        #expect(flag.stderr.contains("--rotate-size: 'lots': expected a size such as 100MB"), "\(flag.stderr)")
        let stdoutRotation = try await Haws.run(["agent", "--rotate-size", "1MB", "--output", "-"])
        #expect(stdoutRotation.code == 3)
        #expect(stdoutRotation.stderr.contains("standard output cannot be rotated"))
    }

    // MARK: Helpers

    /// Waits until the NDJSON shows `expected` tunnels on ws_chat, per server as the backends count them,
    /// and checks it took at most two tunnel polls: the line carries the counts of the first or the second
    /// `show sess all` read after the change (the first may have started before it). Counting polls, not
    /// seconds, keeps the check exact on a loaded machine.
    func expectTunnels(_ expected: Int, agent: AgentProcess, lab: Lab) async throws {
        let changed = Date()
        // What the backends themselves hold (their count settles as the closing handshakes finish).
        var held: [String: Int] = [:]
        let settled = await eventually(timeout: .seconds(5), interval: .milliseconds(20)) {
            held = Dictionary(
                uniqueKeysWithValues: ["s1", "s2", "s3"].map {
                    ($0, lab.server(Self.chat, $0)?.openWebSockets ?? -1)
                })
            return held.values.reduce(0, +) == expected
        }
        #expect(settled, "the backends hold \(held), not \(expected)")
        let line = try await agent.waitForLine(timeout: .seconds(10)) {
            $0.backendTunnels[Self.chat] == expected && $0.serverTunnels == held
        }
        let reads = try agent.snapshots().compactMap(\.tunnelsReadAt).filter { $0 > changed }
        let secondRead = Array(Set(reads)).sorted().dropFirst().first
        // Counts come from the counters on every stats poll; a line may show them before any dump was read.
        let readAt = line.tunnelsReadAt ?? .distantPast
        #expect(
            secondRead == nil || readAt <= secondRead!,
            "\(expected) tunnels showed only after \(Set(reads.filter { $0 < readAt }).count) tunnel polls: \(line)")
    }

    static func compare(_ metrics: [String: Double], _ line: SnapshotView) -> String {
        var problems: [String] = []
        let instance = line.instance
        func check(_ key: String, _ expected: Int?) {
            let actual = metrics[key]
            if actual != expected.map(Double.init) {
                problems.append(
                    "\(key): metrics \(actual.map { "\($0)" } ?? "-"), json \(expected.map { "\($0)" } ?? "null")")
            }
        }
        check("haws_instance_tunnels{instance=\"\(instance)\"}", line.total)
        check("haws_instance_up{instance=\"\(instance)\"}", 1)
        for (backend, tunnels) in line.backendTunnels {
            check("haws_backend_tunnels{backend=\"\(backend)\",instance=\"\(instance)\"}", tunnels)
        }
        for (server, tunnels) in line.serverTunnels {
            let labels = "backend=\"\(chat)\",instance=\"\(instance)\",server=\"\(server)\""
            check("haws_server_tunnels{\(labels)}", tunnels)
            check("haws_server_sessions{\(labels)}", line.serverSessions[server])
            check("haws_server_weight{\(labels)}", line.serverWeights[server])
            check("haws_server_state{\(labels),state=\"up\"}", 1)
        }
        return problems.joined(separator: "; ")
    }
}

// MARK: - The agent process

/// One agent run's temporary directory: its NDJSON file, its stderr, sockets made by the test.
extension TemporaryDirectory {
    var ndjson: String { file("agent.ndjson") }
}

/// `haws agent` started in the background with swift-subprocess; signals go through `execution.send`.
final class AgentProcess: Sendable {
    let directory: TemporaryDirectory
    private let signals: AsyncStream<Subprocess.Signal>.Continuation
    private let exit: Task<Int32?, Never>
    private let exited = Atomic<Bool>(false)

    private init(
        directory: TemporaryDirectory, signals: AsyncStream<Subprocess.Signal>.Continuation, exit: Task<Int32?, Never>
    ) {
        self.directory = directory
        self.signals = signals
        self.exit = exit
    }

    static func start(_ arguments: [String], directory: TemporaryDirectory) async throws -> AgentProcess {
        // Full snapshot lines every poll unless the test asks otherwise: most tests read servers from snapshots.
        var arguments = arguments
        if arguments.first == "agent", !arguments.contains("--full-snapshot-interval") {
            arguments += ["--full-snapshot-interval", "0s"]
        }
        let stdout = try FileDescriptor.open(
            FilePath(directory.file("stdout.txt")), .writeOnly, options: [.create, .truncate],
            permissions: [.ownerReadWrite])
        let stderr = try FileDescriptor.open(
            FilePath(directory.file("stderr.txt")), .writeOnly, options: [.create, .truncate],
            permissions: [.ownerReadWrite])
        let (signalStream, signals) = AsyncStream.makeStream(of: Subprocess.Signal.self)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Bool.self)
        let exit = Task<Int32?, Never> {
            defer { startedContinuation.finish() }
            let result = try? await Subprocess.run(
                .path(FilePath(Haws.binary)), arguments: Arguments(arguments),
                environment: .inherit.updating(["NO_COLOR": "1"]), input: .none,
                output: .fileDescriptor(stdout, closeAfterSpawningProcess: true),
                error: .fileDescriptor(stderr, closeAfterSpawningProcess: true)
            ) { execution in
                startedContinuation.yield(true)
                for await signal in signalStream {
                    try? execution.send(signal: signal)
                    if signal != .terminalClosed { break }  // SIGHUP: the agent goes on
                }
            }
            guard case .exited(let code)? = result?.terminationStatus else { return nil }
            return Int32(code)
        }
        var iterator = started.makeAsyncIterator()
        guard await iterator.next() == true else { throw LabTestError("haws agent did not start") }
        return AgentProcess(directory: directory, signals: signals, exit: exit)
    }

    func send(_ signal: Subprocess.Signal) { signals.yield(signal) }

    /// Sends `signal` and waits (at most 10 s, ``TestDeadline/scaled(_:)``, then SIGKILL) for the exit code; nil
    /// when killed by a signal.
    func terminate(_ signal: Subprocess.Signal) async -> Int32? {
        signals.yield(signal)
        let exit = self.exit
        let finished = try? await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { await exit.value }
            group.addTask {
                try await Task.sleep(for: TestDeadline.scaled(.seconds(10)))
                throw LabTestError("agent did not exit")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        if finished == nil { await kill() }
        exited.store(true, ordering: .relaxed)
        return finished ?? nil
    }

    /// SIGKILL, for cleanup after a failure.
    func kill() async {
        signals.yield(.kill)
        _ = await exit.value
        exited.store(true, ordering: .relaxed)
    }

    var isRunning: Bool { !exited.load(ordering: .relaxed) }

    var stderr: String { (try? String(contentsOfFile: directory.file("stderr.txt"), encoding: .utf8)) ?? "" }

    /// The port of `/metrics`, from the startup line on stderr (`metrics on http://127.0.0.1:PORT/metrics`).
    var metricsPort: Int? {
        get async {
            var port: Int?
            _ = await eventually(timeout: .seconds(10)) {
                port = self.stderr.firstMatch(of: /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/).flatMap {
                    Int($0.1)
                }
                return port != nil
            }
            return port
        }
    }

    func ndjsonText() throws -> String {
        (try? String(contentsOfFile: directory.ndjson, encoding: .utf8)) ?? ""
    }

    /// Complete lines only: a line still being written (no newline yet) is not looked at.
    func objects() throws -> [[String: Any]] {
        var text = try ndjsonText()
        if !text.hasSuffix("\n") {
            text = text.lastIndex(of: "\n").map { String(text[...$0]) } ?? ""
        }
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LabTestError("not a JSON object: \(line.prefix(200))")
            }
            return object
        }
    }

    func snapshots() throws -> [SnapshotView] {
        try objects().filter { $0["type"] as? String == "snapshot" }.enumerated().map {
            SnapshotView($1, index: $0 + 1)
        }
    }

    func events() throws -> [[String: Any]] {
        try objects().filter { $0["type"] as? String == "event" }
    }

    /// Waits until at least `count` snapshot lines exist; returns how many.
    @discardableResult
    func waitForSnapshots(_ count: Int, timeout: Duration = .seconds(10)) async throws -> Int {
        var seen = 0
        _ = try await eventually(timeout: timeout, interval: .milliseconds(50)) {
            seen = try self.snapshots().count
            return seen >= count
        }
        guard seen >= count else { throw LabTestError("only \(seen) of \(count) snapshot lines; stderr: \(stderr)") }
        return seen
    }

    /// The first snapshot line (from the end of what exists when the wait starts, or later) matching `condition`.
    func waitForLine(timeout: Duration = .seconds(8), _ condition: @escaping (SnapshotView) -> Bool) async throws
        -> SnapshotView
    {
        var found: SnapshotView?
        var last: SnapshotView?
        _ = try await eventually(timeout: timeout, interval: .milliseconds(50)) {
            let lines = try self.snapshots()
            last = lines.last
            found = lines.first(where: condition)
            return found != nil
        }
        guard let found else {
            throw LabTestError("no matching snapshot line; last: \(String(describing: last)); stderr: \(stderr)")
        }
        return found
    }

    func waitForEvent(_ kind: String, timeout: Duration = .seconds(8)) async throws -> [String: Any] {
        var found: [String: Any]?
        _ = try await eventually(timeout: timeout, interval: .milliseconds(50)) {
            found = try self.events().first { $0["kind"] as? String == kind }
            return found != nil
        }
        guard let found else { throw LabTestError("no \(kind) event; events: \((try? events()) ?? [])") }
        return found
    }
}

/// The parts of a `snapshot` line the tests look at.
struct SnapshotView: CustomStringConvertible {
    let index: Int
    let instance: String
    let health: String?
    let error: String?
    let time: Date?
    let pid: Int?
    let total: Int?
    let oldWorkers: Int?
    let tunnelsReadAt: Date?
    var backendTunnels: [String: Int] = [:]
    /// ws_chat's servers.
    var serverTunnels: [String: Int] = [:]
    var serverSessions: [String: Int] = [:]
    var serverWeights: [String: Int] = [:]
    /// Every rate of the line, backends and servers and the instance total.
    var rates: [Double] = []

    init(_ object: [String: Any], index: Int) {
        self.index = index
        instance = object["instance"] as? String ?? ""
        health = object["health"] as? String
        error = object["error"] as? String
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        time = (object["time"] as? String).flatMap { formatter.date(from: $0) }
        tunnelsReadAt = (object["tunnels_read_at"] as? String).flatMap { formatter.date(from: $0) }
        pid = object["pid"] as? Int
        total = object["tunnels"] as? Int
        oldWorkers = object["old_worker_tunnels"] as? Int
        if let rate = object["upgrades_per_second"] as? Double { rates.append(rate) }
        for backend in object["backends"] as? [[String: Any]] ?? [] {
            let name = backend["name"] as? String ?? ""
            backendTunnels[name] = backend["tunnels"] as? Int
            rates += (backend["rates"] as? [String: Any] ?? [:]).values.compactMap { $0 as? Double }
            for server in backend["servers"] as? [[String: Any]] ?? [] {
                rates += (server["rates"] as? [String: Any] ?? [:]).values.compactMap { $0 as? Double }
                guard name == AgentAgainstHAProxyTests.chat, let serverName = server["name"] as? String else {
                    continue
                }
                serverTunnels[serverName] = server["tunnels"] as? Int
                serverSessions[serverName] = server["sessions"] as? Int
                serverWeights[serverName] = server["weight"] as? Int
            }
        }
    }

    var description: String {
        "line \(index) \(instance) \(health ?? "-") pid \(pid.map(String.init) ?? "-") tunnels \(total.map(String.init) ?? "-") "
            + "old \(oldWorkers.map(String.init) ?? "-") backends \(backendTunnels) servers \(serverTunnels)"
    }
}

// MARK: - Python checks

enum Prometheus {
    /// Fetches `/metrics` and parses it with prometheus_client's parser: `name{labels sorted}` -> value.
    /// A missing module fails with the fix; it never skips.
    static func scrape(_ url: String) async throws -> [String: Double] {
        let script = """
            import json, sys, urllib.request
            try:
                from prometheus_client.parser import text_string_to_metric_families
            except ImportError:
                print("python3 module prometheus_client is missing: run `make setup` (pip install prometheus_client)")
                sys.exit(2)
            with urllib.request.urlopen(sys.argv[1], timeout=5) as answer:
                assert answer.headers.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8", answer.headers
                text = answer.read().decode()
            samples = {}
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                    samples[f"{sample.name}{{{labels}}}"] = sample.value
            print(json.dumps(samples))
            """
        let result = try await Subprocess.run(
            .name("python3"), arguments: ["-c", script, url], output: .string(limit: 64 << 20),
            error: .string(limit: 1 << 20))
        guard case .exited(0) = result.terminationStatus else {
            throw LabTestError("scrape of \(url) failed: \result.standardOutput \result.standardError")
        }
        return (try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Double]) ?? [:]
    }
}

enum NDJSONSchema {
    /// Validates every line against `Schemas/agent.schema.json`; nil when all are valid.
    static func problems(in ndjson: String) async throws -> String? {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("python3 module jsonschema is missing: run `make setup`"); sys.exit(2)
            validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            problems = []
            for number, line in enumerate(sys.stdin.read().splitlines(), 1):
                for error in validator.iter_errors(json.loads(line)):
                    problems.append(f"line {number}: {list(error.absolute_path)} {error.message[:300]}")
            print("\\n".join(problems[:10]))
            sys.exit(1 if problems else 0)
            """
        let result = try await Subprocess.run(
            .name("python3"),
            arguments: ["-c", script, Repository.root.appendingPathComponent("Schemas/agent.schema.json").path],
            input: .string(ndjson), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        if case .exited(0) = result.terminationStatus { return nil }
        return result.standardOutput + result.standardError
    }
}

// MARK: - A socket that accepts and never answers

/// A Unix socket that accepts connections and never answers, like a wedged HAProxy: reads block until
/// the client's deadline. Connections are held open (not read, not closed) until ``close()``.
final class HungSocket: Sendable {
    /// What the accepting thread shares with the test.
    private final class Connections: Sendable {
        let held = NIOLockedValueBox<[Int32]>([])
        let count = Atomic<Int>(0)
    }

    let path: String
    private let listener: Int32
    private let connections = Connections()

    init(path: String) throws {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LabTestError("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw LabTestError("bind/listen \(path): \(errno)") }
        listener = fd
        let connections = self.connections
        let thread = Thread {
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }  // the listener was closed
                connections.held.withLockedValue { $0.append(connection) }
                connections.count.add(1, ordering: .relaxed)
            }
        }
        thread.start()
    }

    var accepted: Int { connections.count.load(ordering: .relaxed) }

    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        _ = Glibc.close(listener)
        for connection in connections.held.withLockedValue({ $0 }) { _ = Glibc.close(connection) }
        unlink(path)
    }
}
