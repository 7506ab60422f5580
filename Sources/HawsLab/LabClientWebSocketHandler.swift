import NIOCore
import NIOWebSocket

/// The client end of one lab WebSocket: answers pings and server closes, hands echoed text to whoever waits.
///
/// All state lives on the channel's event loop; `LabWebSocketConnection` reaches it through `NIOLoopBound`.
final class LabClientWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Waiters for echoes, matched by text so a late echo after a timeout does not answer the next message.
    private var textWaiters: [(expected: String, promise: EventLoopPromise<String>)] = []
    /// Waiters for pongs, matched by payload.
    private var pongWaiters: [(payload: [UInt8], promise: EventLoopPromise<Void>)] = []
    private var closeSent = false
    private(set) var closeCodeReceived: WebSocketErrorCode?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var data = frame.unmaskedData
            let text = data.readString(length: data.readableBytes) ?? ""
            if let index = self.textWaiters.firstIndex(where: { $0.expected == text }) {
                self.textWaiters.remove(at: index).promise.succeed(text)
            }
        case .pong:
            var data = frame.unmaskedData
            let payload = data.readBytes(length: data.readableBytes) ?? []
            if let index = self.pongWaiters.firstIndex(where: { $0.payload == payload }) {
                self.pongWaiters.remove(at: index).promise.succeed(())
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var payload = frame.unmaskedData
            self.closeCodeReceived = payload.readWebSocketErrorCode()
            if self.closeSent {
                // Our close was answered: the handshake is complete.
                context.close(promise: nil)
            } else {
                // The server closes first: echo its code as RFC 6455 asks, then let it close TCP.
                self.closeSent = true
                var reply = context.channel.allocator.buffer(capacity: 2)
                reply.write(webSocketErrorCode: self.closeCodeReceived ?? .normalClosure)
                let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
                context.writeAndFlush(Self.wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let waiters = self.textWaiters
        self.textWaiters = []
        for waiter in waiters {
            waiter.promise.fail(LabError(.socketFailed, "WebSocket closed before the echo arrived"))
        }
        let pongWaiters = self.pongWaiters
        self.pongWaiters = []
        for waiter in pongWaiters {
            waiter.promise.fail(LabError(.socketFailed, "WebSocket closed before the pong arrived"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Sends `text` and returns a future for the text frame that echoes it.
    func sendText(_ text: String, channel: any Channel) -> EventLoopFuture<String> {
        let promise = channel.eventLoop.makePromise(of: String.self)
        guard channel.isActive, !self.closeSent else {
            promise.fail(LabError(.socketFailed, "WebSocket is closed"))
            return promise.futureResult
        }
        self.textWaiters.append((expected: text, promise: promise))
        let frame = WebSocketFrame(
            fin: true,
            opcode: .text,
            maskKey: .random(),
            data: channel.allocator.buffer(string: text)
        )
        channel.writeAndFlush(frame, promise: nil)
        return promise.futureResult
    }

    /// Sends a ping with `payload` and returns a future for the matching pong.
    func sendPing(_ payload: [UInt8], channel: any Channel) -> EventLoopFuture<Void> {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        guard channel.isActive, !self.closeSent else {
            promise.fail(LabError(.socketFailed, "WebSocket is closed"))
            return promise.futureResult
        }
        self.pongWaiters.append((payload: payload, promise: promise))
        var data = channel.allocator.buffer(capacity: payload.count)
        data.writeBytes(payload)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: data), promise: nil)
        return promise.futureResult
    }

    /// Starts the closing handshake with `code`; the handler closes TCP when the server's close arrives.
    func sendClose(code: WebSocketErrorCode, channel: any Channel) {
        guard !self.closeSent, channel.isActive else {
            return
        }
        self.closeSent = true
        var payload = channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload)
        channel.writeAndFlush(frame, promise: nil)
    }
}
