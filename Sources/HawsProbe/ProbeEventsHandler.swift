import NIOCore
import NIOTLS

/// Reports the connection milestones the probe times and judges: TCP connected (`channelActive`), TLS done, and
/// the connection lost.
///
/// It sits right after the TLS handler so `channelActive` marks the end of the TCP handshake and the TLS user event
/// arrives as soon as NIOSSL has finished; it also sees socket and TLS errors first. `channelInactive` is reported
/// from here rather than from `closeFuture` because NIO removes the handlers (failing the pending upgrade with a
/// generic error) before `closeFuture` fires, and the machine must learn of the closure first to call it
/// `closed_early`. Everything passes through.
final class ProbeEventsHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let connection: ProbeConnection

    init(connection: ProbeConnection) {
        self.connection = connection
    }

    func channelActive(context: ChannelHandlerContext) {
        self.connection.channelActive()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connection.channelInactive()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            self.connection.tlsHandshakeCompleted()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.connection.errorCaught(error)
        context.fireErrorCaught(error)
    }
}
