import NIOCore
import NIOHTTP1

/// Hands the upgrade response head to the probe's verifier before NIO's upgrader sees it.
///
/// NIO's upgrader reports a wrong accept only as `upgraderDeniedUpgrade` and does not check `Connection`,
/// extensions or subprotocols at all; seeing the head first lets ``HandshakeVerifier`` name the exact fault and
/// report the real status code. A rejected response goes no further. NIO removes this handler with the HTTP codec
/// when the upgrade succeeds, since it cannot handle WebSocket bytes.
final class ResponseHeadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let connection: ProbeConnection
    private var rejected = false

    init(connection: ProbeConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data), !self.rejected {
            self.rejected = !self.connection.responseHead(head)
        }
        if !self.rejected {
            context.fireChannelRead(data)
        }
    }
}
