import NIOCore
import NIOHTTP1

/// Answers `GET /metrics` with the exposition text; `/` with a pointer to it; anything else 404 or 405.
///
/// The body is rendered on the event loop when the request is complete, from the latest observed state:
/// nothing is rendered between scrapes, and a scrape never waits for HAProxy.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> PrometheusExposition
    private var request: HTTPRequestHead?

    init(render: @escaping @Sendable () -> PrometheusExposition) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        var body = ""
        var parts: [ByteBuffer]?
        var contentType = "text/plain; charset=utf-8"
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            // Sent family by family as the exposition holds them: no joined copy of the whole text.
            parts = render().buffers
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
        let payload = parts ?? [context.channel.allocator.buffer(string: body)]
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(payload.reduce(0) { $0 + $1.readableBytes }))
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            for part in payload {
                context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
            }
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        let channel = context.channel
        let recycled = parts ?? []
        written.whenComplete { _ in
            ExpositionBufferPool.shared.recycle(recycled)
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
