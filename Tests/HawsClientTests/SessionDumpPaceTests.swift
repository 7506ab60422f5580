import HawsCore
import Testing

@testable import HawsClient

/// The dump's deadline from its expected size, the pace of a one-shot read, and what a paced dump is charged.
@Suite struct SessionDumpPaceTests {
    let pace = SessionDumpPace(rate: ReadRate(bytesPerSecond: 32e6))

    @Test func theExpectedSizeIsTheCountersStreamsAtTheLastDumpsBytesPerStream() {
        #expect(SessionDumpPace.expectedBytes(streams: nil, lastDump: nil) == 0)
        #expect(SessionDumpPace.expectedBytes(streams: 100_000, lastDump: nil) == 160_000_000)
        let last = SessionDumpCost(seconds: 4.9, bytes: 154_500_000, streams: 100_000)
        // 1,545 B per stream; 20,000 more streams than at the last dump.
        #expect(SessionDumpPace.expectedBytes(streams: 120_000, lastDump: last) == 185_400_000)
        // Fewer streams now: the counters win over the last dump's size (they are read every second).
        #expect(SessionDumpPace.expectedBytes(streams: 10_000, lastDump: last) == 15_450_000)
        // No counters yet: the last dump's size.
        #expect(SessionDumpPace.expectedBytes(streams: nil, lastDump: last) == 154_500_000)
    }

    @Test func theDeadlineGrowsWithTheExpectedSizeAndNeverFallsBelowTheTimeout() {
        // 160 MB at 32 MB/s: 5 s paced, twice that.
        #expect(pace.timeout(expectedBytes: 160_000_000, atLeast: .seconds(5)) == .seconds(10))
        // 31 MB (20,000 streams): 1 s paced, the 5 s timeout stands.
        #expect(pace.timeout(expectedBytes: 31_000_000, atLeast: .seconds(5)) == .seconds(5))
        #expect(pace.timeout(expectedBytes: 31_000_000, atLeast: .seconds(1)) == .milliseconds(1_937) + .microseconds(500))
        #expect(pace.timeout(expectedBytes: 0, atLeast: .seconds(2)) == .seconds(2))
    }

    @Test func aOneShotReadGoesFasterOnlyWhenTheDumpWouldNotFitItsDeadline() {
        // 160 MB in 4 s of the 5 s left: 40 MB/s.
        #expect(abs(pace.fitting(expectedBytes: 160_000_000, within: .seconds(5)).rate.bytesPerSecond - 40e6) < 1)
        // With 60 s left (--tunnel-ages --timeout 60s) the rate stands.
        #expect(pace.fitting(expectedBytes: 160_000_000, within: .seconds(60)) == pace)
        #expect(pace.fitting(expectedBytes: 7_700_000, within: .seconds(1)) == pace)
    }

    @Test func aPacedDumpIsChargedWithHAProxysTimeNotItsWallTime() {
        // 154 MB read at 32 MB/s: 4.9 s of wall, 4.3 s of it held by the pace; HAProxy writes it in 1.2 s.
        let paced = SessionDumpPace.haproxySeconds(wall: .milliseconds(4_900), held: .milliseconds(4_300), bytes: 153_600_000)
        #expect(abs(paced - 1.2) < 1e-6)
        // A HAProxy slower than the pace is never waited on by the reader: its whole time shows.
        let slow = SessionDumpPace.haproxySeconds(wall: .seconds(9), held: .milliseconds(200), bytes: 153_600_000)
        #expect(abs(slow - 8.8) < 1e-9)
        // The round's cost carries both, and adds up over workers.
        let round = SessionDumpCost(seconds: 4.9, haproxySeconds: 1.2, bytes: 1, streams: 1)
            + SessionDumpCost(seconds: 0.5, bytes: 1, streams: 1)
        #expect(round.seconds == 5.4 && round.haproxySeconds == 1.7)
    }

    @Test func theSizingRemembersTheCountersAndTheLastDump() {
        let sizing = SessionDumpSizing()
        #expect(sizing.isUnknown)
        sizing.counted(streams: 20_000)
        #expect(!sizing.isUnknown)
        #expect(sizing.expectedBytes == 32_000_000)
        sizing.dumped(SessionDumpCost(seconds: 1, bytes: 30_900_000, streams: 20_000))
        #expect(sizing.expectedBytes == 30_900_000, "1,545 B per stream of the last dump")
    }
}
