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

    @Test func agesIntervalIsNeverShorterThanTheMinimum() {
        let slow = SessionDumpSchedule(minimumInterval: .seconds(120), agesInterval: .seconds(60))
        #expect(slow.interval(afterDumpTaking: 0, countsNeedDump: false).interval == .seconds(120))
    }
}
