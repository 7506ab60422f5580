import HawsTestSupport
import Testing
@testable import HawsCore

/// Per-server tunnels from the counters of one poll, and the streaming `show sess all` scanner.
@Suite struct TunnelDerivationTests {
    /// A CSV with one backend: servers (scur, hrsp_1xx) and the BACKEND row (scur, hrsp_1xx).
    static func table(servers: [(String, Int, Int)], backend: (Int, Int)) throws -> StatsTable {
        var lines = ["# pxname,svname,type,status,scur,hrsp_1xx,weight,"]
        for (name, scur, upgrades) in servers { lines.append("be,\(name),2,UP,\(scur),\(upgrades),1,") }
        lines.append("be,BACKEND,1,UP,\(backend.0),\(backend.1),1,")
        return try StatsCSVParser.parse(lines.joined(separator: "\n") + "\n")
    }

    @Test func everySessionATunnelMakesEachServersScurExact() throws {
        // 7 + 5 upgrades answered, 2 of them ended (the BACKEND row counts a 101 when its stream ends):
        // 10 open tunnels, and the backend holds exactly 10 sessions.
        let snapshot = InstanceSnapshot(instance: "i", stats: try Self.table(servers: [("s1", 6, 7), ("s2", 4, 5)], backend: (10, 2)))
        let basis = try #require(snapshot.tunnelBasis["be"])
        #expect(basis.tunnels == 10)
        #expect(basis.otherSessions == 0)
        #expect(basis.isExact)
        #expect(!snapshot.needsSessionDump)
        let counts = snapshot.backends[0].servers.map { snapshot.tunnelCount(of: $0) }
        #expect(counts.map { $0?.count } == [6, 4])
        #expect(counts.allSatisfy { $0?.isExact == true })
        #expect(snapshot.tunnels(of: snapshot.backends[0]) == 10)
        #expect(snapshot.tunnelDetail == "per-server")
    }

    @Test func requestsInFlightLeaveBoundsUntilADumpFillsThemIn() throws {
        // 10 tunnels open, 3 more sessions are HTTP requests in flight somewhere.
        var snapshot = InstanceSnapshot(instance: "i", stats: try Self.table(servers: [("s1", 8, 7), ("s2", 5, 5), ("s3", 0, 0)], backend: (13, 2)))
        let servers = snapshot.backends[0].servers
        #expect(snapshot.needsSessionDump)
        #expect(snapshot.tunnelDetail == "bounds")
        let s1 = try #require(snapshot.tunnelCount(of: servers[0]))
        #expect((s1.lower, s1.upper, s1.count, s1.isExact) == (5, 8, 5, false))
        let s2 = try #require(snapshot.tunnelCount(of: servers[1]))
        #expect((s2.lower, s2.upper) == (2, 5))
        #expect(snapshot.tunnelCount(of: servers[2])?.isExact == true)  // no session: no tunnel
        #expect(snapshot.tunnels(of: snapshot.backends[0]) == 10)

        // A dump said s1 had 9 (it is older than these counters): shown within the bounds, never above scur.
        snapshot.serverTunnels = [ServerKey(backend: "be", server: "s1"): TunnelTally(count: 9, oldestSeconds: 70, olderThanMinute: 9)]
        let filled = try #require(snapshot.tunnelCount(of: servers[0]))
        #expect(filled.count == 8)
        #expect(filled.count <= servers[0].sessions)
        #expect(filled.tally.olderThanMinute == 8)
        #expect(snapshot.tunnelCount(of: servers[1])?.count == 2)  // not in the dump: at least the lower bound
    }

    @Test func aDrainWaitsOnSessionsWhereOnlyALowerBoundIsKnown() throws {
        // s1: 5 to 8 tunnels (8 sessions); s3: no session, exactly 0.
        var snapshot = InstanceSnapshot(instance: "i", stats: try Self.table(servers: [("s1", 8, 7), ("s2", 5, 5), ("s3", 0, 0)], backend: (13, 2)))
        let servers = snapshot.backends[0].servers
        #expect(snapshot.tunnelCount(of: servers[0])?.count == 5)  // the lower bound is what is shown
        #expect(snapshot.drainCount(of: servers[0]) == DrainCount(value: 8, countsSessions: true))
        #expect(snapshot.drainCount(of: servers[2]) == DrainCount(value: 0, countsSessions: false))

        // Once a session list was read, its count (within the bounds) is the one followed.
        snapshot.serverTunnels = [ServerKey(backend: "be", server: "s1"): TunnelTally(count: 6)]
        #expect(snapshot.drainCount(of: servers[0]) == DrainCount(value: 6, countsSessions: false))
        #expect(snapshot.drainCount(of: servers[1]) == DrainCount(value: 2, countsSessions: false))
    }

    @Test func aRequestSeenOnAServerRowButEndedByTheBackendRowStillWidensTheBounds() throws {
        // 10 + 5 tunnels; s1's row was read while a request was on it, the BACKEND row after it ended: the
        // servers hold 16 sessions, the backend 15. s1 has 10 or 11 tunnels, not exactly 11.
        let table = try Self.table(servers: [("s1", 11, 10), ("s2", 5, 5)], backend: (15, 0))
        let snapshot = InstanceSnapshot(instance: "i", stats: table)
        let basis = try #require(snapshot.tunnelBasis["be"])
        #expect(!basis.isExact)
        #expect(basis.otherSessions == 1)
        let servers = snapshot.backends[0].servers
        let s1 = try #require(snapshot.tunnelCount(of: servers[0]))
        #expect((s1.lower, s1.upper, s1.isExact) == (10, 11, false))
        let s2 = try #require(snapshot.tunnelCount(of: servers[1]))
        #expect((s2.lower, s2.upper) == (4, 5))
        #expect(snapshot.tunnels(of: snapshot.backends[0]) == 15)
        #expect(snapshot.needsSessionDump)
    }

    @Test func interimResponsesThatContradictTheCountersGiveNoDerivedCount() throws {
        // 100 Continue answers count in the servers' hrsp_1xx too: more "open upgrades" than sessions.
        let snapshot = InstanceSnapshot(instance: "i", stats: try Self.table(servers: [("s1", 2, 9)], backend: (2, 0)))
        let basis = try #require(snapshot.tunnelBasis["be"])
        #expect(basis.otherSessions == nil)
        #expect(basis.tunnels == 2)
        let count = try #require(snapshot.tunnelCount(of: snapshot.backends[0].servers[0]))
        #expect((count.lower, count.upper) == (0, 2))
    }

    @Test func oldWorkersAddToBothBounds() throws {
        var snapshot = InstanceSnapshot(instance: "i", stats: try Self.table(servers: [("s1", 3, 3)], backend: (3, 0)))
        snapshot.oldWorkerTunnels = [ServerKey(backend: "be", server: "s1"): TunnelTally(count: 4)]
        let count = try #require(snapshot.tunnelCount(of: snapshot.backends[0].servers[0]))
        #expect((count.count, count.lower, count.upper) == (7, 7, 7))
        #expect(snapshot.tunnels(of: snapshot.backends[0]) == 7)
    }

    @Test func scannerFedInPiecesCountsWhatTheWholeTextCounts() throws {
        let text = try Fixture.cliOutput("cli_show_sess_all.txt")
        let whole = SessionListParser.parse(text)
        let bytes = Array(text.utf8)
        var generator = SeededRandom(seed: 0x5E55)
        let replay = generator.replay
        for _ in 0..<200 {
            var scanner = SessionDumpScanner()
            var at = 0
            while at < bytes.count {
                let size = Int(generator.next() % 97) + 1
                let end = min(bytes.count, at + size)
                bytes[at..<end].withUnsafeBytes { scanner.consume($0) }
                at = end
            }
            scanner.finish()
            #expect(scanner.streams == whole.count, "\(replay)")
            #expect(scanner.tallies == TunnelCounter.perServer(whole), "\(replay)")
            #expect(scanner.bytes == bytes.count, "\(replay)")
        }
    }

    @Test func scannerKeepsAtMostOneLineOfAnEndlessAnswer() {
        var scanner = SessionDumpScanner()
        let garbage = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<16 { garbage.withUnsafeBytes { scanner.consume($0) } }
        scanner.finish()
        #expect(scanner.streams == 0)
        #expect(scanner.bytes == 16 << 20)
    }
}
