import NIOCore

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
/// Only for answers HAProxy produces more slowly than a paced reader takes them. `show sess all` is written
/// at about 130 MB/s (154 MB at 100,000 streams in 1.2 s): paced, a reader takes at most the socket buffer per
/// interval (about 20 MB/s here), so that dump took 7.7 s and every one passed the 5 s timeout. Dumps are read
/// unpaced (``RuntimeAPIClient``).
final class ReadPacingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Bytes of an answer read without pacing.
    let threshold: Int
    /// The wait before each read once past ``threshold``.
    let interval: TimeAmount
    private var received = 0
    private var heldRead: Scheduled<Void>?

    init(threshold: Int = 64 * 1024, interval: TimeAmount = .milliseconds(5)) {
        self.threshold = threshold
        self.interval = interval
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard received >= threshold else {
            context.read()
            return
        }
        guard heldRead == nil else { return }
        let isolatedContext = context
        heldRead = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
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
