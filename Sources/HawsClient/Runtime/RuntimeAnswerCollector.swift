import NIOCore

/// A runtime API answer as it arrived: HAProxy's chunks, in order, and their total size.
struct RuntimeAnswer: Sendable {
    var chunks: [ByteBuffer]
    var count: Int
}

/// Why collecting an answer stopped early, with how much had arrived (a reset after some bytes is not the
/// same report as a close without any).
struct RuntimeAnswerFailure: Error {
    var error: any Error
    var receivedBytes: Int
}

/// Answers beyond the client's size limit: the channel is closed at once.
struct RuntimeAnswerTooLarge: Error {}

/// Collects one runtime API answer on the channel's event loop and hands it over once, at EOF.
///
/// A `show stat` of 10,000 servers arrives in about a hundred chunks. Read through an async stream, each
/// chunk woke the reading task on another thread; collected here, the reader resumes once per answer.
final class RuntimeAnswerCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let limit: Int
    private let promise: EventLoopPromise<RuntimeAnswer>
    private var chunks: [ByteBuffer] = []
    private var received = 0
    private var finished = false

    init(limit: Int, promise: EventLoopPromise<RuntimeAnswer>) {
        self.limit = limit
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let chunk = unwrapInboundIn(data)
        received += chunk.readableBytes
        guard received <= limit else {
            fail(RuntimeAnswerTooLarge())
            context.close(promise: nil)
            return
        }
        chunks.append(chunk)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            succeed()
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        succeed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(ChannelError.ioOnClosedChannel)
    }

    private func succeed() {
        guard !finished else { return }
        finished = true
        promise.succeed(RuntimeAnswer(chunks: chunks, count: received))
        chunks = []
    }

    private func fail(_ error: any Error) {
        guard !finished else { return }
        finished = true
        promise.fail(RuntimeAnswerFailure(error: error, receivedBytes: received))
        chunks = []
    }
}

@available(*, unavailable)
extension RuntimeAnswerCollector: Sendable {}
