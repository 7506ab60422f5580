import NIOCore

/// A runtime API answer as it arrived: HAProxy's chunks, in order, and their total size; or, when collected
/// contiguously, its bytes.
struct RuntimeAnswer: Sendable {
    var chunks: [ByteBuffer]
    var count: Int
    var bytes: [UInt8]? = nil
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
    /// Set when collecting contiguously: each chunk is copied here as it arrives and released, so NIO's
    /// receive-buffer pool reuses its buffer and the answer never exists twice (chunks, then their join).
    private var bytes: [UInt8]?
    private var received = 0
    private var finished = false

    /// - Parameter contiguousCapacity: collect the answer into one byte array reserved at this size (the
    ///   caller's guess, such as the previous answer's size); `nil` keeps the chunks.
    init(limit: Int, contiguousCapacity: Int? = nil, promise: EventLoopPromise<RuntimeAnswer>) {
        self.limit = limit
        self.promise = promise
        if let contiguousCapacity {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(max(contiguousCapacity, 1 << 16), limit))
            self.bytes = bytes
        }
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
        if bytes != nil {
            chunk.withUnsafeReadableBytes { bytes!.append(contentsOf: $0) }
        } else {
            chunks.append(chunk)
        }
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
        promise.succeed(RuntimeAnswer(chunks: chunks, count: received, bytes: bytes))
        chunks = []
        bytes = nil
    }

    private func fail(_ error: any Error) {
        guard !finished else { return }
        finished = true
        promise.fail(RuntimeAnswerFailure(error: error, receivedBytes: received))
        chunks = []
        bytes = nil
    }
}

@available(*, unavailable)
extension RuntimeAnswerCollector: Sendable {}
