import NIOCore
import NIOTLS

/// The probe's side of the connection after TLS: it sends the upgrade request, reads the response head and then the
/// server's frames, and reports every milestone to ``ProbeConnection``.
///
/// One handler for the whole exchange, instead of NIO's HTTP codec and upgrader swapped for its WebSocket codec and
/// aggregator on every connection: a probe reads one head and three frames, and installing, running and removing
/// those handlers cost more CPU than the TCP connection itself. It sits right after the TLS handler (if any), so
/// `channelActive` marks the end of the TCP handshake, the TLS user event arrives as soon as NIOSSL has finished, and
/// socket and TLS errors come here first. Parsing is done by the pure ``ResponseHeadParser`` and
/// ``ProbeFrameReader``; deciding, by ``ProbeStateMachine``.
final class ProbeChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingHead
        case frames
        /// The answer was rejected or malformed: the connection is closing, later bytes mean nothing.
        case ignoring
    }

    private let connection: ProbeConnection
    private var request: ByteBuffer?
    private var state = State.awaitingHead
    /// Bytes received but not consumed yet (a partial head or frame).
    private var pending: ByteBuffer?
    private var frames: ProbeFrameReader

    init(connection: ProbeConnection, request: ByteBuffer, maxMessageSize: Int) {
        self.connection = connection
        self.request = request
        self.frames = ProbeFrameReader(maxMessageSize: maxMessageSize)
    }

    func channelActive(context: ChannelHandlerContext) {
        self.connection.channelActive()
        // Over TLS, NIOSSL holds the request until its handshake is done.
        if let request = self.request {
            self.request = nil
            context.writeAndFlush(Self.wrapOutboundOut(request), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Before `closeFuture`, so the machine learns of the closure while it can still call it `closed_early`.
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
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        if var pending = self.pending {
            self.pending = nil
            pending.writeBuffer(&bytes)
            bytes = pending
        }
        if case .awaitingHead = self.state {
            switch ResponseHeadParser.parse(&bytes) {
            case .incomplete:
                self.pending = bytes
                return
            case .malformed(let reason):
                self.state = .ignoring
                self.connection.responseMalformed(reason)
                return
            case .head(let head):
                guard self.connection.responseHead(head) else {
                    self.state = .ignoring
                    return
                }
                self.state = .frames
                self.connection.upgradeCompleted()
            }
        }
        guard case .frames = self.state else {
            return
        }
        while true {
            switch self.frames.next(&bytes) {
            case .incomplete:
                if bytes.readableBytes > 0 {
                    bytes.discardReadBytes()
                    self.pending = bytes
                }
                return
            case .skipped:
                continue
            case .frame(let frame):
                self.connection.frameReceived(frame)
            case .malformed(let reason):
                self.state = .ignoring
                self.connection.protocolError(reason)
                return
            }
        }
    }
}
