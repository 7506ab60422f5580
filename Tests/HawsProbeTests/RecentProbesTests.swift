import Foundation
import Testing

@testable import HawsProbe

/// The per-server window of continuous probing: exact figures over the last probes, in a fixed size.
@Suite struct RecentProbesTests {
    func result(upgradeMicros: Int64, failure: ProbeFailure? = nil) -> ProbeResult {
        ProbeResult(
            target: ProbeTarget(host: "127.0.0.1", port: 8080, path: "/ws"),
            mode: .full,
            failure: failure,
            timings: ProbeTimings(
                connect: .microseconds(100), upgrade: .microseconds(upgradeMicros),
                total: .microseconds(upgradeMicros + 100)),
            startedAt: Date(timeIntervalSince1970: 0),
            finishedAt: Date(timeIntervalSince1970: 0))
    }

    /// The upgrade's p95, kept as each probe arrives for top's HS p95, is the window's at every step, across the
    /// switch to 4-byte values and the ring's wrap; `nil` before any probe reached the upgrade.
    @Test func theKeptUpgradeP95IsTheWindowsAtEveryStep() throws {
        var window = RecentProbes(capacity: 8)
        #expect(window.upgradeP95 == nil)
        let refused = ProbeResult(
            target: ProbeTarget(host: "127.0.0.1", port: 8080), mode: .full,
            failure: .connectRefused(address: "127.0.0.1:8080"),
            timings: ProbeTimings(connect: .microseconds(50), total: .microseconds(50)),
            startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 0))
        window.record(refused)
        #expect(window.upgradeP95 == nil)
        for micros: Int64 in [3_000, 900, 70_000, 1_200, 5_000, 2_500, 800, 40_000, 600, 1_000, 9_000, 350] {
            window.record(self.result(upgradeMicros: micros))
            let figures = try #require(window.statistics(targetID: "x"))
            #expect(window.upgradeP95 == figures.phases[.upgrade]?.p95, "after \(micros) µs")
        }
        #expect(MemoryLayout<RecentProbes>.size <= 64, "\(MemoryLayout<RecentProbes>.size) bytes inline")
    }

    @Test("percentiles, success ratio and failures by code are those of the last probes only")
    func figuresOfTheLastProbes() throws {
        var window = RecentProbes(capacity: 20)
        for micros in 1...30 {  // 1..10 fall out of the ring; 11..30 stay
            window.record(self.result(upgradeMicros: Int64(micros) * 1_000))
        }
        let figures = try #require(window.statistics(targetID: "ws://127.0.0.1:8080/ws"))
        #expect(figures.probes == 20)
        #expect(figures.successRatio == 1)
        let upgrade = try #require(figures.phases[.upgrade])
        #expect(upgrade.min == .milliseconds(11) && upgrade.max == .milliseconds(30))
        #expect(upgrade.p50 == .milliseconds(20))  // nearest rank: the 10th of 20
        #expect(upgrade.p95 == .milliseconds(29) && upgrade.p99 == .milliseconds(30))

        window.record(self.result(upgradeMicros: 5_000, failure: .connectRefused(address: "127.0.0.1:8080")))
        let failed = try #require(window.statistics(targetID: "x"))
        #expect(failed.failed == 1 && failed.passed == 19 && failed.failures == ["connect_refused": 1])
        // The total counts passed probes only: a failure is no latency.
        #expect(failed.total.count == 19)
        // The failure's code leaves the window with its sample, not before.
        for _ in 1..<20 { window.record(self.result(upgradeMicros: 1_000)) }
        #expect(try #require(window.statistics(targetID: "x")).failures == ["connect_refused": 1])
        window.record(self.result(upgradeMicros: 1_000))
        let cleared = try #require(window.statistics(targetID: "x"))
        #expect(cleared.failures.isEmpty && cleared.failed == 0 && cleared.probes == 20)
        #expect(RecentProbes().statistics(targetID: "x") == nil)
    }

    /// The ring stores only the phases its probes had, and widens when a probe brings a new one (a first TLS phase,
    /// a failure whose phases differ): the figures must be those of every sample, old and new, whatever the layout.
    @Test("samples with different phases: each phase's figures cover the samples that had it, across wraps")
    func phasesThatComeAndGo() throws {
        func probe(_ connect: Int64, tls: Int64? = nil, upgrade: Int64? = nil, failed: Bool = false) -> ProbeResult {
            ProbeResult(
                target: ProbeTarget(host: "127.0.0.1", port: 8080, path: "/ws"), mode: .full,
                failure: failed ? .connectRefused(address: "127.0.0.1:8080") : nil,
                timings: ProbeTimings(
                    connect: .microseconds(connect), tls: tls.map { .microseconds($0) },
                    upgrade: upgrade.map { .microseconds($0) },
                    total: .microseconds(connect + (tls ?? 0) + (upgrade ?? 0))),
                startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 0))
        }
        var window = RecentProbes(capacity: 4)
        window.record(probe(100, failed: true))  // connect only, no total
        window.record(probe(200, upgrade: 1_000))
        window.record(probe(300, tls: 500, upgrade: 2_000))  // a new lane: the ring widens
        var figures = try #require(window.statistics(targetID: "x"))
        #expect(figures.failures == ["connect_refused": 1] && figures.probes == 3)
        let connect = try #require(figures.phases[.connect])
        #expect(connect.count == 3 && connect.min == .microseconds(100) && connect.p50 == .microseconds(200))
        #expect(connect.max == .microseconds(300))
        #expect(figures.phases[.upgrade]?.count == 2 && figures.phases[.upgrade]?.max == .microseconds(2_000))
        #expect(figures.phases[.tls]?.count == 1 && figures.phases[.tls]?.p99 == .microseconds(500))
        #expect(figures.total.count == 2 && figures.total.min == .microseconds(1_200))
        #expect(figures.total.max == .microseconds(2_800))
        #expect(figures.phases[.resolve] == nil)
        window.record(probe(400, upgrade: 3_000))
        window.record(probe(500, upgrade: 3_000))  // the failed probe falls out
        figures = try #require(window.statistics(targetID: "x"))
        #expect(figures.failures.isEmpty && figures.probes == 4)
        #expect(figures.phases[.connect]?.min == .microseconds(200) && figures.phases[.connect]?.count == 4)
        window.record(probe(600, upgrade: 3_000))
        window.record(probe(700, upgrade: 3_000))  // the TLS probe falls out
        figures = try #require(window.statistics(targetID: "x"))
        #expect(figures.phases[.tls] == nil)
        #expect(figures.phases[.connect]?.min == .microseconds(400) && figures.phases[.connect]?.max == .microseconds(700))
        #expect(figures.total.count == 4 && figures.total.max == .microseconds(3_700))
    }

    /// Values live in 2 bytes until one does not fit (65.535 ms and above): the ring then moves to 4 bytes a value,
    /// and every figure, of the samples before and after, must be what a 4-byte ring would give.
    @Test("a value of 65.535 ms or more moves the ring to 4-byte values with every figure exact")
    func valuesThatOutgrowTwoBytes() throws {
        var window = RecentProbes(capacity: 4)
        window.record(self.result(upgradeMicros: 65_434))  // total 65,534: the largest 2-byte value
        window.record(self.result(upgradeMicros: 1_000, failure: .connectRefused(address: "127.0.0.1:8080")))
        let narrow = window.estimatedFootprintInBytes
        var figures = try #require(window.statistics(targetID: "x"))
        #expect(figures.total.max == .microseconds(65_534) && figures.total.count == 1)
        window.record(self.result(upgradeMicros: 65_435))  // total 65,535: no longer fits
        #expect(window.estimatedFootprintInBytes > narrow)
        figures = try #require(window.statistics(targetID: "x"))
        #expect(figures.total.count == 2 && figures.total.min == .microseconds(65_534))
        #expect(figures.total.max == .microseconds(65_535))
        #expect(figures.failures == ["connect_refused": 1])
        let upgrade = try #require(figures.phases[.upgrade])
        #expect(upgrade.count == 3 && upgrade.min == .milliseconds(1) && upgrade.max == .microseconds(65_435))
        window.record(self.result(upgradeMicros: 4_000_000))  // a slow server's 4 s upgrade
        window.record(self.result(upgradeMicros: 2_000))  // the 65,534 sample falls out
        figures = try #require(window.statistics(targetID: "x"))
        #expect(figures.probes == 4 && figures.failures == ["connect_refused": 1])
        #expect(figures.phases[.upgrade]?.max == .seconds(4) && figures.phases[.upgrade]?.min == .milliseconds(1))
        #expect(figures.total.min == .microseconds(2_100) && figures.total.count == 3)
        #expect(figures.phases[.connect]?.p50 == .microseconds(100))
    }

    /// The memory a server's probe window costs: the old window grew with time (a histogram per phase and minute);
    /// this one is fixed from the first probe on, under the 2 KB a server the probe budget allows.
    @Test("a window costs at most 2 KB per server and does not grow with probes or time")
    func fixedSmallFootprint() {
        var window = RecentProbes()
        window.record(self.result(upgradeMicros: 1_000))
        let empty = window.estimatedFootprintInBytes
        for micros in 0..<1_000 {
            window.record(self.result(upgradeMicros: Int64(micros % 61) * 1_000))
        }
        #expect(window.estimatedFootprintInBytes == empty)
        // A passing server's window on a LAN is its latencies alone: 24 samples of the phases it has (2 bytes each
        // below 65.535 ms) and the array's header.
        #expect(window.estimatedFootprintInBytes <= 300, "\(window.estimatedFootprintInBytes) bytes")
        // Slower latencies take 4 bytes each, once, and the window stays that size.
        for micros in 0..<1_000 {
            window.record(self.result(upgradeMicros: Int64(micros % 97) * 1_000))
        }
        let wide = window.estimatedFootprintInBytes
        #expect(wide > empty)
        window.record(self.result(upgradeMicros: 1_000))
        #expect(window.estimatedFootprintInBytes == wide)
        #expect(window.estimatedFootprintInBytes <= 2_048, "\(window.estimatedFootprintInBytes) bytes")
        #expect(window.estimatedFootprintInBytes <= 600, "\(window.estimatedFootprintInBytes) bytes")
        #expect(window.count == RecentProbes.defaultCapacity)

        // What it replaces: five minutes of the histogram window at one probe every 10 s, for one server.
        let origin = ContinuousClock.now
        var histograms = ProbeStatistics(window: .seconds(300), origin: origin)
        for second in stride(from: 0, to: 300, by: 10) {
            histograms.record(self.result(upgradeMicros: 3_000), at: origin.advanced(by: .seconds(second)))
        }
        #expect(histograms.estimatedFootprintInBytes > 30 * window.estimatedFootprintInBytes)
    }
}
