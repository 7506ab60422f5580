import NIOCore

/// Raised into the pipeline when a call's deadline passes; the channel is closed right after.
struct ChannelDeadlineExceeded: Error, Hashable {}

/// Enforces one absolute deadline on a whole exchange (connect, TLS, request, response) by closing the channel.
///
/// A per-read timeout is not enough: a HAProxy that accepts and then never answers, or trickles one byte at a
/// time, must fail at the deadline. Closing the channel from its own event loop releases the file descriptor
/// whatever the reader is doing, and the error fired first tells the reader why its stream ended.
final class ChannelDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    private let deadline: NIODeadline
    private var timer: Scheduled<Void>?

    init(deadline: NIODeadline) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let isolatedContext = context
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            isolatedContext.fireErrorCaught(ChannelDeadlineExceeded())
            isolatedContext.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ChannelDeadlineHandler: Sendable {}
