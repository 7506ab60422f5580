import Foundation
import HawsCore
import Testing

@testable import HawsProbe

/// An entry keeps its last result in a compact form (no second copy of the target, nanosecond phases, a boxed
/// failure): what it gives back must be the result it was given, whatever the result held.
@Suite("ProbeBoard entry: the last result as stored")
struct ProbeBoardEntryTests {
    static let key = ProbeKey.server(ServerKey(backend: "be", server: "s1"), instance: "edge-1")
    static let target = ProbeTarget(host: "127.0.10.23", port: 9000, path: "/ws", subprotocols: ["chat"])

    static func result(
        target: ProbeTarget = Self.target, failure: ProbeFailure? = nil, remoteAddress: String? = "127.0.10.23:9000"
    ) -> ProbeResult {
        ProbeResult(
            target: target, mode: .full, failure: failure,
            timings: ProbeTimings(
                connect: .nanoseconds(123_457), upgrade: .microseconds(850), ping: .nanoseconds(1),
                close: .milliseconds(2), total: .nanoseconds(3_123_459_001)),
            httpStatus: failure == nil ? 101 : 403, subprotocol: "chat", extensions: ["permessage-deflate"],
            remoteAddress: remoteAddress, startedAt: Date(timeIntervalSince1970: 1_764_600_000.25),
            finishedAt: Date(timeIntervalSince1970: 1_764_600_003.5))
    }

    @Test(
        "every kind of result comes back as it was recorded",
        arguments: [
            Self.result(),
            Self.result(failure: .status(code: 403, reason: "Forbidden")),
            Self.result(remoteAddress: "10.0.0.7:9000"),  // a name resolved elsewhere
            Self.result(remoteAddress: nil),
            Self.result(target: ProbeTarget(host: "::1", port: 9001, tls: true)),  // not the entry's target
        ])
    func roundTrip(_ result: ProbeResult) {
        var entry = ProbeBoard.Entry(key: Self.key, target: Self.target, mode: .full)
        entry.record(result, windowCapacity: 24, health: ProbeHealth())
        #expect(entry.lastResult == result)
        #expect(entry.lastPassed == result.passed)
        let decoded = try? JSONDecoder().decode(ProbeBoard.Entry.self, from: JSONEncoder().encode(entry))
        #expect(decoded?.lastResult == result)
    }

    @Test("a result keeps its own target when the entry's address changes")
    func targetChange() {
        var entry = ProbeBoard.Entry(key: Self.key, target: Self.target, mode: .full)
        entry.record(Self.result(), windowCapacity: nil, health: ProbeHealth())
        let moved = ProbeTarget(host: "127.0.10.24", port: 9000, path: "/ws")
        entry.target = moved
        #expect(entry.target == moved)
        #expect(entry.lastResult == Self.result(), "the result is of the old address")
        entry.target = nil  // not probeable any more
        #expect(entry.lastResult == Self.result())
    }

    @Test("the stored form is under half of a result inline")
    func size() {
        #expect(MemoryLayout<ProbeBoard.Entry.LastResult>.size * 2 < MemoryLayout<ProbeResult>.size)
    }

    /// Each result boxes an entry's fields anew: the new box keeps the key and target, and its size is the entry's
    /// cost per server (it was ~880 bytes with the result inline).
    @Test("an entry's fields keep the key and target across new results, in under 512 bytes")
    func fieldsKeepKeyAndTarget() {
        #expect(MemoryLayout<ProbeBoard.Entry.Fields>.size <= 512, "\(MemoryLayout<ProbeBoard.Entry.Fields>.size)")
        var entry = ProbeBoard.Entry(key: Self.key, target: Self.target, mode: .full)
        entry.record(Self.result(), windowCapacity: 24, health: ProbeHealth())
        let before = entry
        entry.record(Self.result(failure: .connectRefused(address: "x")), windowCapacity: 24, health: ProbeHealth())
        #expect(!entry.isSameValue(as: before))
        #expect(entry.key == Self.key && entry.target == Self.target && before.lastPassed == true)
        #expect(entry.lastPassed == false)
    }

    @Test("plans sum without copying an empty side, and keep every unavailable instance")
    func planSum() {
        let a = PlannedProbe(key: Self.key, disposition: .probe(Self.target, mode: .full))
        let b = PlannedProbe(key: .frontend("ws://x/", instance: "edge-1"), disposition: .notProbeable(reason: "r"))
        #expect(ProbePlan(entries: [a]) + ProbePlan(unavailableInstances: ["x"])
            == ProbePlan(entries: [a], unavailableInstances: ["x"]))
        #expect(ProbePlan(unavailableInstances: ["y"]) + ProbePlan(entries: [b])
            == ProbePlan(entries: [b], unavailableInstances: ["y"]))
        #expect(ProbePlan(entries: [a]) + ProbePlan(entries: [b], unavailableInstances: ["z"])
            == ProbePlan(entries: [a, b], unavailableInstances: ["z"]))
    }
}
