import NIOCore
import NIOHTTP1

/// Answers the plain HTTP requests of a correct backend: HAProxy's `GET /health` and the demo's API calls.
///
/// Upgrade requests never reach it (NIO's upgrader takes them first, `UpgradeRefusalHandler` those it refuses).
/// In `slowHandshake` mode the answer is delayed like the 101, because a slow backend is slow for its health checks
/// as well; a request's own `delay_ms=` and `status=` (see ``BackendRequestOptions``) take precedence.
final class BackendHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let serverName: String
    private let delay: TimeAmount?
    private var request: HTTPRequestHead?

    init(serverName: String, delay: TimeAmount?) {
        self.serverName = serverName
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.request = head
        case .body:
            break
        case .end:
            guard let head = self.request else {
                return
            }
            self.request = nil
            if let delay = BackendRequestOptions(uri: head.uri).delay.map({ TimeAmount($0) }) ?? self.delay {
                context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                    self.respond(to: head, context: context)
                }
            } else {
                self.respond(to: head, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            return
        }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let text = path == "/health" ? "ok\n" : "{\"server\":\"\(self.serverName)\",\"path\":\"\(path)\"}\n"
        let body = context.channel.allocator.buffer(string: text)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: path == "/health" ? "text/plain" : "application/json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "X-Haws-Server", value: self.serverName)
        let keepAlive = head.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        let status = BackendRequestOptions(uri: head.uri).status.map { HTTPResponseStatus(statusCode: $0) } ?? .ok
        let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(Self.wrapOutboundOut(.head(response)), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.writeAndFlush(Self.wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
