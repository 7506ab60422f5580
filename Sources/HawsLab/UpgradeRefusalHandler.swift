import NIOCore
import NIOHTTP1

/// Refuses the upgrade requests of a correct backend that ask for it (`status=` in the query, see
/// ``BackendRequestOptions``): answers that status instead of 101 and closes, as a server that rejects a WebSocket
/// (403) or ignores the `Upgrade` header (200) does. Every other connection passes on untouched to NIO's HTTP
/// pipeline and upgrader, and this handler leaves the pipeline.
///
/// It reads the request head at the byte level, in front of NIO's pipeline: NIO's server upgrader, told not to
/// upgrade, leaves the connection without an answer.
final class UpgradeRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A head longer than this is not one to refuse: it passes on to NIO's pipeline, which limits heads itself.
    private static let headLimit = 16 * 1024

    private let serverName: String
    private var received: ByteBuffer?

    init(serverName: String) {
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        if var held = self.received {
            held.writeBuffer(&bytes)
            bytes = held
        }
        switch RawHTTPRequestHead.parse(Array(bytes.readableBytesView)) {
        case .incomplete where bytes.readableBytes < Self.headLimit:
            self.received = bytes
        case .complete(let head, _) where head.isWebSocketUpgrade:
            if let status = BackendRequestOptions(uri: head.target).status {
                self.refuse(status: status, context: context)
            } else {
                self.passOn(bytes, context: context)
            }
        default:
            self.passOn(bytes, context: context)
        }
    }

    private func passOn(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        self.received = nil
        context.fireChannelRead(Self.wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func refuse(status: Int, context: ChannelHandlerContext) {
        self.received = nil
        context.answerAndClose(
            status: "\(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)",
            body: "websocket upgrade refused\n", serverName: self.serverName)
    }
}
