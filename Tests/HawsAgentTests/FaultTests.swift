import Foundation
import HawsClient
import HawsCore
import HawsLab
import HawsMonitor
import HawsTestSupport
import Testing

/// Faults in what HAProxy sends, read through the engine `haws top` and `haws agent` share: each must end the poll
/// with a clear error, in bounded memory, and leave the last good snapshot in place.
@Suite(.serialized) struct FaultTests {
    /// An engine on the live source of `spec`, after one good poll: the servers it shows.
    static func engineAfterAGoodPoll(_ spec: InstanceSpec, timeout: Duration = .seconds(5)) async throws
        -> (MonitorEngine, [String])
    {
        let engine = MonitorEngine(sources: [InstanceSource.live(spec, timeout: timeout)])
        await engine.pollOnce()
        let live = await engine.state.instances[0]
        #expect(live.health == .reachable, "\(live.lastError ?? "")")
        let servers = try #require(live.snapshot).backends.flatMap { $0.servers.map(\.name) }
        #expect(!servers.isEmpty)
        return (engine, servers)
    }

    /// The instance after a failed poll: unreachable with `words` in its error, the good snapshot kept.
    static func expectFailedPollKeepsTheSnapshot(
        _ engine: MonitorEngine, servers: [String], words: String
    ) async throws {
        await engine.pollOnce()
        let live = await engine.state.instances[0]
        guard case .unreachable(let error) = live.health else {
            let count = live.snapshot?.backends.reduce(0) { $0 + $1.servers.count } ?? 0
            Issue.record("health \(live.health) after the fault; the snapshot has \(count) servers")
            return
        }
        #expect(error.contains(words), "\(error)")
        #expect(!error.contains("\n") && error.count < 400, "\(error)")
        #expect(live.failedPolls == 1)
        #expect(try #require(live.snapshot).backends.flatMap { $0.servers.map(\.name) } == servers)
    }

    static func writeAnswers(_ directory: TemporaryDirectory) throws {
        try (Fixture.info() + "\n").write(toFile: directory.file("info.txt"), atomically: true, encoding: .utf8)
        try (Fixture.csv() + "\n").write(toFile: directory.file("stat.csv"), atomically: true, encoding: .utf8)
    }

    @Test func runtimeSocketClosingMidLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.writeAnswers(directory)
        try await FaultServer.run("cut", in: directory) {
            let spec = try InstanceSpec(name: "edge", runtime: .unix(path: directory.file("fake.sock")))
            let (engine, servers) = try await Self.engineAfterAGoodPoll(spec)
            try FaultServer.arm(directory)
            try await Self.expectFailedPollKeepsTheSnapshot(
                engine, servers: servers, words: "before the empty line that ends every answer")
        }
    }

    /// 1 GB of garbage as the answer to `show stat`: the read stops at the documented cap and the error says so.
    @Test func endlessGarbageStopsAtTheCap() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.writeAnswers(directory)
        try await FaultServer.run("garbage", in: directory) {
            let spec = try InstanceSpec(name: "edge", runtime: .unix(path: directory.file("fake.sock")))
            let (engine, servers) = try await Self.engineAfterAGoodPoll(spec, timeout: .seconds(30))
            try FaultServer.arm(directory)
            try await Self.expectFailedPollKeepsTheSnapshot(engine, servers: servers, words: "exceeded 64 MB")
            let sent = try #require(await FaultServer.waitForFile(directory.file("sent")).flatMap { Int($0) })
            // What the server got out before haws closed: the cap, plus what the socket buffers held.
            let cap = RuntimeAPIClient.defaultMaximumResponseBytes
            #expect(sent >= cap && sent < cap + 16 << 20, "\(sent) bytes sent")
        }
    }

    /// `show sess all` is scanned, not collected: endless garbage costs flat memory and ends at the deadline.
    @Test func endlessSessionDumpEndsAtTheDeadline() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.writeAnswers(directory)
        try await FaultServer.run("sess-garbage", in: directory) {
            let spec = try InstanceSpec(name: "edge", runtime: .unix(path: directory.file("fake.sock")))
            let engine = MonitorEngine(sources: [InstanceSource.live(spec, timeout: .seconds(1))])
            await engine.pollOnce()
            try FaultServer.arm(directory)
            let clock = ContinuousClock()
            let started = clock.now
            await engine.pollOnce()
            #expect(clock.now - started < .seconds(5))
            let live = await engine.state.instances[0]
            // The stats poll is unaffected; the tunnel reading says why it has no counts.
            #expect(live.health == .reachable)
            let snapshot = try #require(live.snapshot)
            #expect(snapshot.backends.flatMap(\.servers).count == 4)
            let reason = snapshot.serverTunnelsUnavailable?.description ?? "counted"
            #expect(reason.contains("did not answer 'show sess all' within 1s"), "\(reason)")
        }
    }

    @Test func statsPageWithATruncatedChunkedBody() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.writeAnswers(directory)
        try await FaultServer.run("http-truncated", in: directory) {
            let port = try #require(await FaultServer.waitForFile(directory.file("port")))
            let page = try StatsPageSpec(endpoint: StatsPageEndpoint(parsing: "http://127.0.0.1:\(port)/stats"))
            let (engine, servers) = try await Self.engineAfterAGoodPoll(try InstanceSpec(name: "edge", statsPage: page))
            try FaultServer.arm(directory)
            try await Self.expectFailedPollKeepsTheSnapshot(engine, servers: servers, words: "before the end of its answer")
        }
    }

    /// A real HAProxy SIGKILLed while its `show stat` of 3,000 servers (about 1 MB) is being read: a relay in
    /// front of its socket kills it after the first 32 kB have passed.
    @Test(.enabled(if: HAProxyExecutable.isAvailable))
    func haproxyKilledMidAnswer() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lab = try LabDirectory.create(prefix: "haws-fault")
        defer { lab.remove() }
        let socket = lab.file("admin.sock")
        let config = HAProxyConfig(
            global: .init(statsSockets: [.unix(socket, level: .admin)]),
            frontend: .init(bindPort: try FreePort.pick(), defaultBackend: "ws_chat"),
            backends: [
                .init(
                    name: "ws_chat", healthCheckPath: nil,
                    servers: (0..<3_000).map { .init(name: "s\($0)", port: 9, check: nil) })
            ])
        let haproxy = try HAProxyProcess(config: config, directory: lab)
        try await haproxy.whileRunning {
            try await FaultServer.run("relay", in: directory, upstream: socket) {
                let spec = try InstanceSpec(name: "edge", runtime: .unix(path: directory.file("fake.sock")))
                let (engine, servers) = try await Self.engineAfterAGoodPoll(spec)
                #expect(servers.count == 3_000)
                try FaultServer.arm(directory, content: "\(try #require(await haproxy.pid))")
                try await Self.expectFailedPollKeepsTheSnapshot(
                    engine, servers: servers, words: "before the empty line that ends every answer")
                #expect(await FaultServer.waitForFile(directory.file("killed")) != nil)
            }
        }
    }
}
