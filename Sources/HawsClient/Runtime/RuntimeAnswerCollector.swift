import HawsCore
import NIOConcurrencyHelpers
import NIOCore

/// A runtime API answer as it arrived: HAProxy's chunks, in order, and their total size; or, when collected
/// contiguously, its bytes.
package struct RuntimeAnswer: Sendable {
    package var chunks: [ByteBuffer]
    package var count: Int
    package var bytes: [UInt8]? = nil
    /// When scanned (`show sess all`): the scanner that read every byte, and the answer's first bytes (where
    /// HAProxy's refusals are).
    var scanned: SessionDumpScanner? = nil
    var head: [UInt8] = []
    /// The answer's last two bytes (fewer when shorter), oldest first.
    var tail: [UInt8] = []

    /// Whether the answer ends as every complete HAProxy answer does: with the empty line the CLI writes after
    /// each command's output (`...\n\n`), or as that empty line alone (the answer of a write command such as
    /// `set server`). A connection closed mid-answer (HAProxy killed or restarted, a proxy dropping it) ends
    /// elsewhere; a `show stat` cut mid-row would otherwise parse as an instance with fewer servers.
    package var endsLikeAnAnswer: Bool {
        tail == [0x0A, 0x0A] || (count == 1 && tail == [0x0A])
    }
}

/// Why collecting an answer stopped early, with how much had arrived (a reset after some bytes is not the
/// same report as a close without any).
package struct RuntimeAnswerFailure: Error {
    package var error: any Error
    var receivedBytes: Int
}

/// Answers beyond the client's size limit: the channel is closed at once.
package struct RuntimeAnswerTooLarge: Error {}

/// Collects one runtime API answer on the channel's event loop and hands it over once, at EOF.
///
/// A `show stat` of 10,000 servers arrives in about a hundred chunks. Read through an async stream, each
/// chunk woke the reading task on another thread; collected here, the reader resumes once per answer.
package final class RuntimeAnswerCollector: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer

    private let limit: Int
    private let promise: EventLoopPromise<RuntimeAnswer>
    private var chunks: [ByteBuffer] = []
    /// Set when collecting contiguously: each chunk is copied here as it arrives and released, so NIO's
    /// receive-buffer pool reuses its buffer and the answer never exists twice (chunks, then their join).
    private var bytes: [UInt8]?
    /// Set when scanning: each chunk is read by the scanner and released, so the answer is never held (a
    /// `show sess all` of 100,000 tunnels is 155 MB); only its first bytes are kept, for the refusal check.
    private var scanner: SessionDumpScanner?
    private var head: [UInt8] = []
    private var received = 0
    private var tail: [UInt8] = []
    private var finished = false

    /// - Parameter contiguous: collect the answer into the byte array handed over (emptied, its capacity kept:
    ///   reserved at the caller's guess of the size, or a buffer reused from an earlier answer); `nil` keeps
    ///   the chunks.
    package init(
        limit: Int, contiguous: ByteArrayHandOff? = nil, scanner: SessionDumpScanner? = nil,
        promise: EventLoopPromise<RuntimeAnswer>
    ) {
        self.limit = limit
        self.promise = promise
        self.scanner = scanner
        self.bytes = contiguous?.take()
        self.bytes?.removeAll(keepingCapacity: true)
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let chunk = unwrapInboundIn(data)
        received += chunk.readableBytes
        chunk.withUnsafeReadableBytes { raw in
            tail = Array((tail + raw.suffix(2)).suffix(2))
        }
        if scanner != nil {
            // Memory stays flat however long the answer is; the call's deadline bounds its time.
            chunk.withUnsafeReadableBytes { raw in
                if head.count < Self.headBytes {
                    head.append(contentsOf: raw.prefix(Self.headBytes - head.count))
                }
                scanner!.consume(raw)
            }
            return
        }
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

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            succeed()
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        succeed()
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        fail(ChannelError.ioOnClosedChannel)
    }

    /// How much of a scanned answer is kept: HAProxy's refusals are one short line at the top.
    static let headBytes = 4_096

    private func succeed() {
        guard !finished else { return }
        finished = true
        scanner?.finish()
        promise.succeed(
            RuntimeAnswer(chunks: chunks, count: received, bytes: bytes, scanned: scanner, head: head, tail: tail))
        scanner = nil
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

/// Moves a byte array from the caller to the collector, which the channel initializer creates on the event
/// loop: captured by that closure as a plain array, the caller's copy would still reference it, and the first
/// append would copy the whole buffer instead of writing into it.
package final class ByteArrayHandOff: Sendable {
    private let stored: NIOLockedValueBox<[UInt8]?>

    package init(_ bytes: consuming [UInt8]) {
        stored = NIOLockedValueBox(consume bytes)
    }

    /// The array, once; `nil` afterwards.
    package func take() -> [UInt8]? {
        stored.withLockedValue { $0.take() }
    }
}
