import NIOCore
import NIOWebSocket

/// Turns WebSocket frames into the probe machine's events once the upgrade is done.
///
/// Frames are reduced to what the probe checks (payloads of control frames, text of messages, close codes) so the
/// state machine stays free of buffers.
final class ProbeFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame

    private let connection: ProbeConnection

    init(connection: ProbeConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .ping:
            self.connection.frameReceived(.ping(Array(payload.readableBytesView)))
        case .pong:
            self.connection.frameReceived(.pong(Array(payload.readableBytesView)))
        case .text:
            self.connection.frameReceived(.text(String(decoding: payload.readableBytesView, as: UTF8.self)))
        case .binary:
            self.connection.frameReceived(.binary(count: payload.readableBytes))
        case .connectionClose:
            let code = payload.readInteger(as: UInt16.self)
            self.connection.frameReceived(.close(code: code))
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.connection.errorCaught(error)
    }
}
