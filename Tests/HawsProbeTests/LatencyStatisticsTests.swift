import Foundation
import HawsTestSupport
import Testing

@testable import HawsProbe

/// Rolling windows with an injected clock: time moves by adding to an instant, never by sleeping.
@Suite("LatencyWindow and ProbeStatistics")
struct LatencyStatisticsTests {
    let t0 = ContinuousClock.now

    func at(seconds: Int) -> ContinuousClock.Instant {
        self.t0.advanced(by: .seconds(seconds))
    }

    /// Equal within HdrHistogram's 2 significant digits (1%).
    func close(_ a: Duration, _ b: Duration) -> Bool {
        abs(a.milliseconds - b.milliseconds) <= b.milliseconds * 0.01 + 0.001
    }

    @Test("percentiles of 1..100 ms are about 50, 95 and 99 ms")
    func percentiles() {
        var window = LatencyWindow(origin: self.t0)
        for ms in 1...100 {
            window.record(.milliseconds(ms), at: self.at(seconds: 1))
        }
        let summary = window.summary(at: self.at(seconds: 2))
        #expect(summary.count == 100)
        #expect(self.close(summary.p50, .milliseconds(50)), "\(summary.p50)")
        #expect(self.close(summary.p95, .milliseconds(95)), "\(summary.p95)")
        #expect(self.close(summary.p99, .milliseconds(99)), "\(summary.p99)")
        #expect(self.close(summary.min, .milliseconds(1)))
        #expect(self.close(summary.max, .milliseconds(100)))
    }

    @Test("old samples fall out a slice at a time; the window covers the last 4 to 5 minutes")
    func rolling() {
        var window = LatencyWindow(length: .seconds(300), slices: 5, origin: self.t0)
        window.record(.milliseconds(500), at: self.at(seconds: 10))  // slice 0
        window.record(.milliseconds(10), at: self.at(seconds: 130))  // slice 2
        #expect(window.summary(at: self.at(seconds: 299)).count == 2)
        #expect(self.close(window.summary(at: self.at(seconds: 299)).max, .milliseconds(500)))
        // At 300 s slice 0 expires: the slow sample is gone, the p99 drops.
        let later = window.summary(at: self.at(seconds: 300))
        #expect(later.count == 1)
        #expect(self.close(later.p99, .milliseconds(10)))
        #expect(window.summary(at: self.at(seconds: 10_000)).isEmpty)
    }

    @Test("a reused slot starts afresh, and a sample older than its slot is dropped")
    func slotReuse() {
        var window = LatencyWindow(length: .seconds(60), slices: 3, origin: self.t0)
        window.record(.milliseconds(5), at: self.at(seconds: 1))  // slice 0, slot 0
        window.record(.milliseconds(7), at: self.at(seconds: 61))  // slice 3, slot 0 again
        #expect(window.summary(at: self.at(seconds: 61)).count == 1)
        window.record(.milliseconds(9), at: self.at(seconds: 2))  // late sample for expired slice 0
        #expect(window.summary(at: self.at(seconds: 61)).count == 1)
    }

    @Test("values above the trackable maximum are clamped, not lost")
    func clamping() {
        var window = LatencyWindow(highestTrackable: .seconds(1), origin: self.t0)
        window.record(.seconds(30), at: self.at(seconds: 1))
        let summary = window.summary(at: self.at(seconds: 1))
        #expect(summary.count == 1)
        #expect(self.close(summary.max, .seconds(1)))
    }

    @Test("samples before the origin land in negative slices and still count")
    func beforeOrigin() {
        var window = LatencyWindow(length: .seconds(60), slices: 3, origin: self.t0)
        window.record(.milliseconds(3), at: self.t0.advanced(by: .seconds(-5)))
        #expect(window.summary(at: self.t0).count == 1)
    }

    static func result(
        _ id: Int,
        failure: ProbeFailure? = nil,
        connect: Duration = .milliseconds(1),
        upgrade: Duration? = .milliseconds(2),
        total: Duration = .milliseconds(5)
    ) -> ProbeResult {
        ProbeResult(
            target: ProbeTarget(host: "127.0.0.1", port: 8000 + id, path: "/ws"),
            mode: .full,
            failure: failure,
            timings: ProbeTimings(connect: connect, upgrade: upgrade, total: total),
            startedAt: Date(),
            finishedAt: Date()
        )
    }

    @Test("per target: success ratio, failures by code, per-phase and total latency")
    func perTarget() throws {
        var statistics = ProbeStatistics(origin: self.t0)
        for second in 0..<97 {
            statistics.record(Self.result(1), at: self.at(seconds: second))
        }
        statistics.record(
            Self.result(1, failure: .status(code: 502, reason: "Bad Gateway"), total: .seconds(1)),
            at: self.at(seconds: 97)
        )
        statistics.record(Self.result(1, failure: .status(code: 502, reason: "Bad Gateway")), at: self.at(seconds: 98))
        statistics.record(
            Self.result(1, failure: .connectRefused(address: "x"), upgrade: nil),
            at: self.at(seconds: 99)
        )
        statistics.record(Self.result(2, connect: .milliseconds(40)), at: self.at(seconds: 99))

        let one = try #require(statistics.statistics(for: "ws://127.0.0.1:8001/ws", at: self.at(seconds: 100)))
        #expect(one.probes == 100)
        #expect(one.passed == 97)
        #expect(one.successRatio == 0.97)
        #expect(one.failures == ["status": 2, "connect_refused": 1])
        #expect(one.phases[.connect]?.count == 100)
        #expect(one.phases[.upgrade]?.count == 99)
        #expect(one.phases[.tls] == nil)
        // Failed probes do not enter the total: the 1 s failure is not a latency.
        #expect(one.total.count == 97)
        #expect(self.close(one.total.max, .milliseconds(5)))

        let two = try #require(statistics.statistics(for: "ws://127.0.0.1:8002/ws", at: self.at(seconds: 100)))
        #expect(self.close(two.phases[.connect]!.p50, .milliseconds(40)))
        #expect(statistics.targetIDs == ["ws://127.0.0.1:8001/ws", "ws://127.0.0.1:8002/ws"])
        #expect(statistics.allStatistics(at: self.at(seconds: 100)).count == 2)
    }

    @Test("the ratio follows the window, and idle targets can be dropped")
    func windowAndIdle() throws {
        var statistics = ProbeStatistics(window: .seconds(60), slices: 6, origin: self.t0)
        statistics.record(Self.result(1, failure: .cancelled), at: self.at(seconds: 0))
        statistics.record(Self.result(1), at: self.at(seconds: 50))
        #expect(statistics.statistics(for: "ws://127.0.0.1:8001/ws", at: self.at(seconds: 55))?.successRatio == 0.5)
        #expect(statistics.statistics(for: "ws://127.0.0.1:8001/ws", at: self.at(seconds: 65))?.successRatio == 1.0)
        let empty = try #require(statistics.statistics(for: "ws://127.0.0.1:8001/ws", at: self.at(seconds: 500)))
        #expect(empty.successRatio == nil && empty.probes == 0)
        statistics.removeIdle(at: self.at(seconds: 500))
        #expect(statistics.targetIDs.isEmpty)
    }

    @Test("memory per target is bounded, however many probes are recorded")
    func boundedMemory() {
        var statistics = ProbeStatistics(origin: self.t0)
        var generator = SeededRandom(seed: 0x1A7E)
        for second in 0..<600 {
            for _ in 0..<20 {
                statistics.record(
                    Self.result(1, connect: .microseconds(Int64.random(in: 1...5_000_000, using: &generator))),
                    at: self.at(seconds: second)
                )
            }
        }
        let afterTenMinutes = statistics.estimatedFootprintInBytes
        for second in 600..<1_200 {
            statistics.record(Self.result(1), at: self.at(seconds: second))
        }
        // 3 latency series (connect, upgrade, total) x 5 slices; a slice never grows past the clamp.
        #expect(statistics.estimatedFootprintInBytes <= afterTenMinutes)
        #expect(afterTenMinutes < 3 * 5 * 12 * 1_024, "\(afterTenMinutes) bytes, \(generator.replay)")
        // Small latencies keep histograms small.
        #expect(
            statistics.estimatedFootprintInBytes < 3 * 5 * 6 * 1_024,
            "\(statistics.estimatedFootprintInBytes) bytes"
        )
    }

    @Test("statistics encode as JSON with phase names as keys")
    func coding() throws {
        var statistics = ProbeStatistics(origin: self.t0)
        statistics.record(Self.result(1), at: self.t0)
        let snapshot = try #require(statistics.statistics(for: "ws://127.0.0.1:8001/ws", at: self.t0))
        let data = try JSONEncoder().encode(snapshot)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let phases = try #require(object["phases"] as? [String: Any])
        #expect(Set(phases.keys) == ["connect", "upgrade"])
        #expect(try JSONDecoder().decode(TargetStatistics.self, from: data) == snapshot)
    }
}
