import NIOCore
import NIOConcurrencyHelpers

/// Spaces out the socket reads of a large answer, so each read takes what arrived in the meantime.
///
/// HAProxy writes a `show stat` of 10,000 servers (2.2 MB) in 16 KB pieces over about 80 ms: it produces
/// the text more slowly than a reader takes it. Read as it comes, each piece wakes the event loop for one
/// read, about 180 wake-ups per answer, and at a 1 s refresh those wake-ups were a quarter of `haws top`'s
/// CPU. Once an answer has passed ``threshold``, this handler holds NIO's next read for ``interval``:
/// about 20 reads per answer, and the answer still ends when HAProxy finishes writing it (plus at most one
/// interval). Small answers (`show info`, commands) never wait.
///
/// The interval stays short enough for HAProxy's socket send buffer (about 200 KB on Linux) to hold what it
/// writes meanwhile, so HAProxy is not slowed down. An end of file is seen at once whatever this handler
/// holds: NIO reads a closed socket to its end without waiting for a read request.
///
/// `show sess all` is paced differently, by a byte rate (``init(rate:record:)``): HAProxy writes it at about
/// 130 MB/s, so one read per interval would take the dump at whatever the socket buffer holds per interval,
/// while a rate gives a known duration, from which the dump's deadline is derived (``SessionDumpPace``).
final class ReadPacingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Bytes of an answer read without pacing.
    let threshold: Int
    /// The wait before each read once past ``threshold`` (`nil`: paced by ``rate``).
    let interval: TimeAmount?
    /// The byte rate the answer is read at (`nil`: paced by ``interval``).
    let rate: ReadRate?
    /// Where the time reads were held is added up (rate pacing).
    private let record: ReadPaceRecord?
    private var received = 0
    private var firstByte: NIODeadline?
    private var heldRead: Scheduled<Void>?

    init(threshold: Int = 64 * 1024, interval: TimeAmount = .milliseconds(5)) {
        self.threshold = threshold
        self.interval = interval
        self.rate = nil
        self.record = nil
    }

    /// Reads no faster than `rate` on average from the first byte on; the time reads were held goes to `record`.
    init(rate: ReadRate, record: ReadPaceRecord? = nil) {
        self.threshold = 0
        self.interval = nil
        self.rate = rate
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        if firstByte == nil { firstByte = context.eventLoop.now }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard received >= threshold, received > 0 else {
            context.read()
            return
        }
        guard heldRead == nil else { return }
        let wait: TimeAmount
        if let rate, let firstByte {
            wait = TimeAmount(rate.wait(received: received, elapsed: Duration(context.eventLoop.now - firstByte)))
            guard wait > .zero else {
                context.read()
                return
            }
            record?.add(held: Duration(wait))
        } else {
            wait = interval ?? .zero
        }
        let isolatedContext = context
        heldRead = context.eventLoop.assumeIsolated().scheduleTask(in: wait) { [self] in
            heldRead = nil
            isolatedContext.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelHeldRead()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelHeldRead()
    }

    private func cancelHeldRead() {
        heldRead?.cancel()
        heldRead = nil
    }
}

@available(*, unavailable)
extension ReadPacingHandler: Sendable {}

/// A byte rate to read an answer at.
struct ReadRate: Sendable, Hashable {
    var bytesPerSecond: Double

    init(bytesPerSecond: Double) {
        precondition(bytesPerSecond > 0, "a read rate must be positive")
        self.bytesPerSecond = bytesPerSecond
    }

    /// The time `bytes` take at this rate.
    func duration(of bytes: Int) -> Duration {
        .nanoseconds(Int64((Double(bytes) / bytesPerSecond * 1e9).rounded(.up)))
    }

    /// How long the next read waits, `elapsed` after the first byte with `received` bytes read: until the
    /// bytes read are what the rate allows by then (none when the reader is behind, as when HAProxy is slower).
    func wait(received: Int, elapsed: Duration) -> Duration {
        let due = duration(of: received)
        return due > elapsed ? due - elapsed : .zero
    }
}

/// The time a rate-paced read held its reads, added up (read by the caller once the answer is in).
final class ReadPaceRecord: Sendable {
    private let heldTotal = NIOLockedValueBox(Duration.zero)

    init() {}

    func add(held: Duration) {
        heldTotal.withLockedValue { $0 += held }
    }

    var held: Duration { heldTotal.withLockedValue { $0 } }
}
