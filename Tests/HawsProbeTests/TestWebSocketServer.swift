import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A small NIO WebSocket echo server for the faults HawsLab's backend does not have: TLS (optionally requiring a
/// client certificate), extra 101 headers (an unrequested extension), and frame-level misbehaviour (no pong, a wrong
/// pong, no close echo, closing right after the 101).
///
/// HawsLab's `WebSocketBackendServer` covers the handshake faults; these live here because HawsLab is another
/// engineer's module and a test server needs nothing from it.
final class TestWebSocketServer: Sendable {
    struct Behavior: Sendable {
        enum Pong: Sendable { case echo, wrongPayload, none }
        enum Close: Sendable { case echo, ignore }

        var responseHeaders: [(String, String)] = []
        var pong: Pong = .echo
        var close: Close = .echo
        /// Close TCP (without a close frame) as soon as the upgrade is done.
        var dropAfterUpgrade = false
    }

    let port: Int
    private let listener: any Channel

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
    }

    static func start(
        behavior: Behavior = Behavior(),
        tls: NIOSSLContext? = nil,
        host: String = "127.0.0.1"
    ) async throws -> TestWebSocketServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, behavior: behavior, tls: tls)
                }
            }
            .bind(host: host, port: 0)
            .get()
        return TestWebSocketServer(port: listener.localAddress?.port ?? 0, listener: listener)
    }

    func stop() async {
        try? await self.listener.close()
    }

    private static func configure(_ channel: any Channel, behavior: Behavior, tls: NIOSSLContext?) throws {
        let pipeline = channel.pipeline.syncOperations
        if let tls {
            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
        }
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 16,
            shouldUpgrade: { channel, _ in
                channel.eventLoop.makeSucceededFuture(HTTPHeaders(behavior.responseHeaders))
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TestEchoHandler(behavior: behavior))
                }
            }
        )
        try pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
        )
    }
}

/// The WebSocket side of ``TestWebSocketServer``.
private final class TestEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let behavior: TestWebSocketServer.Behavior

    init(behavior: TestWebSocketServer.Behavior) {
        self.behavior = behavior
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if self.behavior.dropAfterUpgrade {
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            self.write(context, opcode: frame.opcode, data: frame.unmaskedData)
        case .ping:
            switch self.behavior.pong {
            case .echo:
                self.write(context, opcode: .pong, data: frame.unmaskedData)
            case .wrongPayload:
                self.write(context, opcode: .pong, data: context.channel.allocator.buffer(string: "not yours"))
            case .none:
                break
            }
        case .connectionClose:
            guard case .echo = self.behavior.close else {
                return
            }
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.write(webSocketErrorCode: .normalClosure)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)
            context.writeAndFlush(Self.wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func write(_ context: ChannelHandlerContext, opcode: WebSocketOpcode, data: ByteBuffer) {
        context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: data)), promise: nil)
    }
}
