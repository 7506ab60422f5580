import NIOCore

/// Answers at the byte level for the modes that must break the protocol (`refuseUpgrade`, `wrongAccept`, `hang`,
/// `closeImmediately`): NIO's HTTP pipeline and upgrader are built to be correct, so they cannot send these faults.
///
/// Plain requests (such as HAProxy's `GET /health`) get `200 ok` except in `hang` and `closeImmediately`, so a
/// health check sees what it would see on a real backend with that fault.
final class MisbehavingBackendHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Reading the request head.
        case readingHead([UInt8])
        /// A 101 went out: the connection is a "tunnel" that discards whatever arrives.
        case tunnel
        /// A final answer went out; the connection is closing.
        case done
    }

    private let mode: LabBackendMode
    private let serverName: String
    private let onTunnelOpened: @Sendable (any Channel) -> Void
    private var state: State = .readingHead([])

    /// - Parameters:
    ///   - mode: one of the raw modes; others are treated like `refuseUpgrade`.
    ///   - serverName: echoed in plain answers so tests can see which server replied.
    ///   - onTunnelOpened: called when a 101 was sent, so the server counts the connection as an open WebSocket
    ///     (HAProxy counts it as a tunnel too).
    init(mode: LabBackendMode, serverName: String, onTunnelOpened: @escaping @Sendable (any Channel) -> Void) {
        self.mode = mode
        self.serverName = serverName
        self.onTunnelOpened = onTunnelOpened
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .closeImmediately = self.mode {
            self.state = .done
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        guard case .readingHead(var received) = self.state else {
            return
        }
        if case .hang = self.mode {
            return
        }
        received.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        switch RawHTTPRequestHead.parse(received) {
        case .incomplete:
            self.state = .readingHead(received)
        case .invalid:
            self.respondAndClose(context: context, status: "400 Bad Request", body: "bad request\n")
        case .complete(let head, _):
            self.answer(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answer(_ head: RawHTTPRequestHead, context: ChannelHandlerContext) {
        guard head.isWebSocketUpgrade else {
            self.respondAndClose(
                context: context,
                status: "200 OK",
                body: head.target == "/health"
                    ? "ok\n" : "{\"server\":\"\(self.serverName)\",\"path\":\"\(head.target)\"}\n"
            )
            return
        }
        switch self.mode {
        case .wrongAccept:
            let key = head.header("Sec-WebSocket-Key") ?? ""
            let response =
                "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: \(WebSocketHandshake.wrongAcceptValue(forKey: key))\r\n"
                + "\r\n"
            self.state = .tunnel
            context.writeAndFlush(
                Self.wrapOutboundOut(context.channel.allocator.buffer(string: response)),
                promise: nil
            )
            self.onTunnelOpened(context.channel)
        default:
            self.respondAndClose(context: context, status: "400 Bad Request", body: "websocket upgrade refused\n")
        }
    }

    private func respondAndClose(context: ChannelHandlerContext, status: String, body: String) {
        self.state = .done
        context.answerAndClose(status: status, body: body, serverName: self.serverName)
    }
}

extension ChannelHandlerContext {
    /// Writes a whole HTTP/1.1 answer (`status` such as "400 Bad Request") with `Connection: close` and the
    /// server's name, then closes once it is out: how lab backends answer at the byte level.
    func answerAndClose(status: String, body: String, serverName: String) {
        let response =
            "HTTP/1.1 \(status)\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n"
            + "X-Haws-Server: \(serverName)\r\n"
            + "\r\n"
            + body
        self.writeAndFlush(NIOAny(self.channel.allocator.buffer(string: response))).assumeIsolated().whenComplete { _ in
            self.close(promise: nil)
        }
    }
}
