import HawsCore
import Testing

@testable import HawsClient
import HawsTestSupport

/// `show stat` answers are read into the buffer of an earlier answer once no snapshot uses it: the same
/// memory, written in place (a copy would fault in and zero 2 MB per poll at 10,000 servers).
@Suite struct AnswerBufferReuseTests {
    static func address(_ bytes: borrowing [UInt8]) -> UInt {
        bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }

    /// A `show stat` of `servers` servers in one backend, as HAProxy 2.6 writes its first columns.
    static func csv(servers: Int) -> String {
        var text = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,type,\n"
        for index in 0..<servers { text += "be,s\(index),0,0,\(index % 7),0,,\(index),0,0,2,\n" }
        return text + "be,BACKEND,0,0,0,0,,0,0,0,1,\n\n"
    }

    @Test func theClientWritesIntoTheBufferItIsGiven() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await FakeRuntimeServer.unix(
            path: directory.file("admin.sock"), behaviour: .answer(RuntimeAPIClientTests.userLevel))
        let client = RuntimeAPIClient(endpoint: .unix(path: directory.file("admin.sock")))
        var buffer: [UInt8] = Array(repeating: 7, count: 100)
        buffer.reserveCapacity(1 << 20)
        let address = Self.address(buffer)
        let answer = try await client.sendForBytes("show large", into: consume buffer)
        #expect(answer == Array(RuntimeAPIClientTests.large.utf8), "the old contents are gone")
        #expect(Self.address(answer) == address)
        await server.close()
    }

    @Test func poolHandsBackTheSameStorageAndKeepsOneSpare() {
        let pool = AnswerBufferPool(largestKept: 1 << 20)
        var first = pool.take()
        #expect(first.capacity >= 1 << 16)
        first.append(contentsOf: repeatElement(1, count: 5_000))
        pool.answered(size: first.count)
        let address = Self.address(first)
        pool.give(first)
        first = []
        pool.give([UInt8](repeating: 2, count: 10))  // one spare only: this one is let go
        let second = pool.take()
        #expect(second.isEmpty)
        #expect(Self.address(second) == address)
        #expect(!pool.hasSpare)

        var huge: [UInt8] = []
        huge.reserveCapacity(2 << 20)
        pool.give(huge)
        #expect(!pool.hasSpare, "buffers over the limit are not kept")
    }

    @Test func aSnapshotGivesItsAnswerBackWhenDropped() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let csv = Self.csv(servers: 3_000)
        let server = try await FakeRuntimeServer.unix(
            path: directory.file("admin.sock"),
            behaviour: .answer { command in command == "show stat" ? csv : "Name: HAProxy\nVersion: 2.6.12\nPid: 42\n\n" })
        let reader = InstanceReader(
            spec: try InstanceSpec(name: "lab", runtime: .unix(path: directory.file("admin.sock")), master: nil, statsPage: nil))

        var first: InstanceReading? = await reader.readStats()
        guard case .read(let snapshot)? = first else {
            Issue.record("first read failed: \(String(describing: first))")
            return
        }
        #expect(snapshot.backends.first?.servers.count == 3_000)
        #expect(!reader.statBuffers.hasSpare, "the snapshot still uses its answer")
        first = nil
        _ = consume snapshot
        #expect(reader.statBuffers.hasSpare, "the dropped snapshot's answer is kept for the next poll")

        let second = await reader.readStats()
        guard case .read(let again) = second else {
            Issue.record("second read failed: \(second)")
            return
        }
        #expect(!reader.statBuffers.hasSpare, "the next answer went into it")
        #expect(again.backends.first?.servers.map(\.sessions) == (0..<3_000).map { $0 % 7 })
        await server.close()
    }
}
