import NIOCore
import NIOWebSocket

/// The RFC 6455 side of a correct backend: echoes data frames, answers ping with pong and close with close.
///
/// Echoing lets the lab prove that bytes really cross HAProxy's tunnel; answering close lets clients finish the
/// closing handshake so TIME_WAIT lands where RFC 6455 intends.
final class BackendWebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var closeSent = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let echo = WebSocketFrame(fin: true, opcode: frame.opcode, data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(echo), promise: nil)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            self.answerClose(frame, context: context)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func answerClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        guard !self.closeSent else {
            context.close(promise: nil)
            return
        }
        self.closeSent = true
        var payload = frame.unmaskedData
        var reply = context.channel.allocator.buffer(capacity: 2)
        if let code = payload.readWebSocketErrorCode() {
            reply.write(webSocketErrorCode: code)
        }
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)
        context.writeAndFlush(Self.wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
