import Dispatch
import NIOCore
import NIOHTTP1
import NIOPosix

/// Answers `GET /metrics` with the exposition text; `/` with a pointer to it; anything else 404 or 405.
///
/// The body is rendered when the request is complete, from the latest observed state: nothing is rendered
/// between scrapes, and a scrape never waits for HAProxy. It is sent as it is written, family by family (chunked
/// on HTTP/1.1; on HTTP/1.0 the connection's end ends the body), and the render waits while
/// ``MetricsServerLimits/queuedResponseBytes`` are queued for the client, so a scrape of 10,000 servers never
/// holds its ten megabytes at once; each piece goes back to the buffer pool once sent.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable (_ emit: (ByteBuffer) -> Void) -> Void
    private let limits: MetricsServerLimits
    private var request: HTTPRequestHead?
    /// Closes the connection when the request (or the response) takes longer than ``limits`` allow.
    private var deadline: Scheduled<Void>?

    /// Busy from a request's head to the end of its response: only idle connections are evicted for new ones.
    private let activity: ConnectionActivity

    init(
        limits: MetricsServerLimits = MetricsServerLimits(), activity: ConnectionActivity = ConnectionActivity(),
        render: @escaping @Sendable (_ emit: (ByteBuffer) -> Void) -> Void
    ) {
        self.limits = limits
        self.activity = activity
        self.render = render
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(limits.requestTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { arm(limits.requestTimeout, context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    /// Closes the connection after `limit` unless re-armed or cancelled first.
    private func arm(_ limit: Duration, context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(limit / .milliseconds(1)))) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            activity.set(busy: true)
        case .body:
            break  // no route takes a body; the request deadline bounds how long one may last
        case .end:
            guard let head = request else { return }
            request = nil
            arm(limits.responseTimeout, context: context)
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        var body = ""
        var streamed = false
        var contentType = "text/plain; charset=utf-8"
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            streamed = true
            contentType = PrometheusExposition.contentType
        case (.GET, "/"), (.HEAD, "/"):
            status = .ok
            body = "haws agent: Prometheus metrics are at /metrics\n"
        case (_, "/metrics"), (_, "/"):
            status = .methodNotAllowed
            body = "only GET and HEAD\n"
        default:
            status = .notFound
            body = "not found: try /metrics\n"
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        if !streamed { headers.add(name: "Content-Length", value: String(body.utf8.count)) }
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        // Without a length, an HTTP/1.0 body ends with the connection.
        let keepAlive = head.isKeepAlive && !(streamed && head.version == .http1_0)
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        guard head.method != .HEAD, streamed else {
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            }
            return finish(keepAlive: keepAlive, context: context)
        }
        // Rendered off the event loop, which stays free to send: the render waits whenever ``ResponseCredits``
        // worth of pieces are queued and not yet taken by the kernel. Rendered on the loop, a scrape queued all of
        // its ~10 MB at 10,000 servers before the socket took much (the agent's peak memory, every scrape).
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let credits = ResponseCredits(bytes: limits.queuedResponseBytes)
        let render = self.render
        Self.renderPool.submit { _ in
            render { piece in
                let needed = credits.credits(for: piece.readableBytes)
                credits.take(needed)
                loop.execute {
                    let (handler, context) = bound.value
                    let sent = loop.makePromise(of: Void.self)
                    sent.futureResult.whenComplete { _ in
                        credits.give(needed)
                        ExpositionBufferPool.shared.recycle([piece])
                    }
                    context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(piece))), promise: sent)
                }
            }
            loop.execute { bound.value.handler.finish(keepAlive: keepAlive, context: bound.value.context) }
        }
    }

    /// Threads that render `/metrics` bodies: two, so a slow client holds at most one while another scrape
    /// renders (each waits for its own client; the response deadline bounds how long).
    private static let renderPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// Ends the response and, by `keepAlive`, closes the connection or waits for the next request.
    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        let activity = self.activity
        written.whenComplete { _ in activity.set(busy: false) }
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        } else {
            // The next request has the same time to arrive as the first had.
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            let limit = limits.requestTimeout
            written.whenSuccess { bound.value.handler.arm(limit, context: bound.value.context) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Bytes of one response handed to NIO but not yet taken by the kernel, as credits of 64 KB: the render takes a
/// piece's credits before queueing it (waiting, on its own thread, while none are left) and gets them back once the
/// piece is written or its connection is gone (NIO fails the writes still queued when a channel closes).
final class ResponseCredits: Sendable {
    static let unit = 64 << 10
    let total: Int
    private let semaphore = DispatchSemaphore(value: 0)

    init(bytes: Int) {
        self.total = max(1, bytes / Self.unit)
        // Signalled up from 0 rather than created at `total`: libdispatch traps when a semaphore is freed below the
        // value it was created with, which a connection torn down mid-response could otherwise cause.
        for _ in 0..<self.total { self.semaphore.signal() }
    }

    /// A piece's credits: one per 64 KB, at most all of them (a piece larger than the bound waits for an empty
    /// queue, then goes alone).
    func credits(for bytes: Int) -> Int { min(self.total, max(1, (bytes + Self.unit - 1) / Self.unit)) }

    func take(_ credits: Int) { for _ in 0..<credits { self.semaphore.wait() } }
    func give(_ credits: Int) { for _ in 0..<credits { self.semaphore.signal() } }
}
