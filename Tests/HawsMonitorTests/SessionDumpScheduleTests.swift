import HawsCore
import Testing
@testable import HawsMonitor

@Suite struct SessionDumpScheduleTests {
    let schedule = SessionDumpSchedule(minimumInterval: .seconds(5), agesInterval: .seconds(60), budget: 0.005)

    @Test func countsThatNeedTheDumpGetTheConfiguredInterval() {
        let (interval, reason) = schedule.interval(afterDumpTaking: 0.004, countsNeedDump: true)
        #expect(interval == .seconds(5))
        #expect(reason == .counts)
    }

    @Test func exactCountsReadTheDumpForAgesOnly() {
        let (interval, reason) = schedule.interval(afterDumpTaking: 0.004, countsNeedDump: false)
        #expect(interval == .seconds(60))
        #expect(reason == .ages)
    }

    @Test func aCostlyDumpStretchesItsIntervalToKeepTheBudget() {
        // 1.2 s of HAProxy time per dump (about 100,000 streams) at 0.5% of a core: one dump every 240 s.
        let (interval, reason) = schedule.interval(afterDumpTaking: 1.2, countsNeedDump: true)
        #expect(interval == .seconds(240))
        #expect(reason == .budget)
        // 71 ms (5,000 tunnels): 14.2 s, past the 5 s minimum.
        #expect(schedule.interval(afterDumpTaking: 0.071, countsNeedDump: true).interval == .milliseconds(14_200))
    }

    @Test func aPacedDumpIsChargedWithHAProxysTimeNotItsWallTime() {
        // 154 MB read at 32 MB/s: 4.9 s of wall, 1.2 s of HAProxy's time: every 240 s, not every 980 s.
        let paced = SessionDumpCost(seconds: 4.9, haproxySeconds: 1.2, bytes: 154_000_000, streams: 100_000)
        let (interval, reason) = schedule.interval(after: paced, countsNeedDump: false)
        #expect(interval == .seconds(240) && reason == .budget)
        // A cost without HAProxy's time (a failed round timed by the engine) is charged with its wall time.
        #expect(schedule.interval(after: SessionDumpCost(seconds: 2), countsNeedDump: false).interval == .seconds(400))
        #expect(schedule.interval(after: SessionDumpCost(), countsNeedDump: true).reason == .counts)
    }

    @Test func agesIntervalIsNeverShorterThanTheMinimum() {
        let slow = SessionDumpSchedule(minimumInterval: .seconds(120), agesInterval: .seconds(60))
        #expect(slow.interval(afterDumpTaking: 0, countsNeedDump: false).interval == .seconds(120))
    }
}
