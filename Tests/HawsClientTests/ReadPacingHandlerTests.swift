import NIOCore
import NIOEmbedded
import Testing
import HawsCore

@testable import HawsClient

/// The pacing of large answers' reads, on an embedded channel whose clock the test moves.
@Suite struct ReadPacingHandlerTests {
    /// Counts the read requests that get past the pacing handler towards the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    private func pacedChannel() throws -> (EmbeddedChannel, ReadCounter) {
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            counter, ReadPacingHandler(threshold: 100, interval: .milliseconds(5)))
        return (channel, counter)
    }

    @Test func smallAnswersAreReadAtOnceAndLargeOnesOncePerInterval() throws {
        let (channel, counter) = try pacedChannel()
        channel.read()
        #expect(counter.reads == 1, "below the threshold a read goes through at once")
        try channel.writeInbound(channel.allocator.buffer(repeating: 0x41, count: 99))
        channel.read()
        #expect(counter.reads == 2)

        try channel.writeInbound(channel.allocator.buffer(repeating: 0x41, count: 1))
        channel.read()
        channel.read()
        #expect(counter.reads == 2, "past the threshold the read waits")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(4))
        #expect(counter.reads == 2)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(counter.reads == 3, "one read after the interval, however many were asked for meanwhile")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(20))
        #expect(counter.reads == 3)

        // Every byte went through, in order.
        var passed = 0
        while let chunk = try channel.readInbound(as: ByteBuffer.self) { passed += chunk.readableBytes }
        #expect(passed == 100)
        _ = try channel.finish()
    }

    @Test func aClosedChannelDropsTheHeldRead() throws {
        let (channel, counter) = try pacedChannel()
        try channel.writeInbound(channel.allocator.buffer(repeating: 0x41, count: 200))
        channel.read()
        #expect(counter.reads == 0)
        _ = try channel.finish(acceptAlreadyClosed: true)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        #expect(counter.reads == 0, "no read request after the channel went away")
    }

    /// `show stat` is paced by interval; a scanned `show sess all` by its byte rate: by interval, 154 MB at
    /// 100,000 streams took 7.7 s (the socket buffer per interval) where HAProxy writes it in 1.2 s.
    @Test func scannedAnswersArePacedByRateOthersByInterval() throws {
        let loop = EmbeddedEventLoop()
        let deadline = NIODeadline.now() + .seconds(5)
        let promises = [loop.makePromise(of: RuntimeAnswer.self), loop.makePromise(of: RuntimeAnswer.self)]
        let paced = RuntimeAPIClient.answerHandlers(
            deadline: deadline, limit: 1_000, contiguous: nil, scanner: nil, promise: promises[0])
        let scanned = RuntimeAPIClient.answerHandlers(
            deadline: deadline, limit: 1_000, contiguous: nil, scanner: SessionDumpScanner(),
            rate: ReadRate(bytesPerSecond: 1e6), promise: promises[1])
        #expect(paced.compactMap { $0 as? ReadPacingHandler }.map(\.rate) == [nil])
        #expect(scanned.compactMap { $0 as? ReadPacingHandler }.map(\.rate) == [ReadRate(bytesPerSecond: 1e6)])
        #expect(scanned.contains { $0 is RuntimeAnswerCollector } && paced.contains { $0 is RuntimeAnswerCollector })
        for promise in promises { promise.fail(CancellationError()) }
    }

    /// At 1 MB/s, 1,000 bytes are due 1 ms after the first byte: the next read waits for the rest of that
    /// millisecond, and the held time is recorded.
    @Test func aRateHoldsEachReadUntilTheBytesReadAreDue() throws {
        let counter = ReadCounter()
        let record = ReadPaceRecord()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            counter, ReadPacingHandler(rate: ReadRate(bytesPerSecond: 1e6), record: record))
        channel.read()
        #expect(counter.reads == 1, "before the first byte a read goes through at once")
        try channel.writeInbound(channel.allocator.buffer(repeating: 0x41, count: 1_000))
        channel.embeddedEventLoop.advanceTime(by: .microseconds(400))
        channel.read()
        channel.read()
        #expect(counter.reads == 1, "1,000 bytes after 0.4 ms is faster than 1 MB/s: the read waits")
        channel.embeddedEventLoop.advanceTime(by: .microseconds(599))
        #expect(counter.reads == 1)
        channel.embeddedEventLoop.advanceTime(by: .microseconds(1))
        #expect(counter.reads == 2, "one read once the bytes are due, however many were asked for meanwhile")
        #expect(record.held == .microseconds(600))

        // A reader behind the rate (HAProxy slower than it) reads at once and holds nothing.
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        try channel.writeInbound(channel.allocator.buffer(repeating: 0x41, count: 2_000))
        channel.read()
        #expect(counter.reads == 3)
        #expect(record.held == .microseconds(600))
        _ = try channel.finish()
    }

    @Test func aRateGivesDurationsAndWaits() {
        let rate = ReadRate(bytesPerSecond: 32e6)
        #expect(rate.duration(of: 154_000_000) == .milliseconds(4_812) + .microseconds(500))
        #expect(rate.wait(received: 32_000_000, elapsed: .milliseconds(250)) == .milliseconds(750))
        #expect(rate.wait(received: 32_000_000, elapsed: .seconds(2)) == .zero)
    }
}
