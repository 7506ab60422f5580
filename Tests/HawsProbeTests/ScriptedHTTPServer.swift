import Foundation
import HawsProbe
import NIOCore
import NIOPosix

/// Answers every upgrade request with bytes a test scripts from the client's key, then keeps the connection open.
///
/// For handshake faults no correct HTTP stack can produce (a 101 without `Connection`, an answer that is not HTTP),
/// which is why it writes raw bytes rather than going through NIO's HTTP encoder.
final class ScriptedHTTPServer: Sendable {
    let port: Int
    private let listener: any Channel

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
    }

    /// - Parameter respond: the raw response for the request's `Sec-WebSocket-Key`.
    static func start(respond: @escaping @Sendable (_ key: String) -> String) async throws -> ScriptedHTTPServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedResponder(respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedHTTPServer(port: listener.localAddress?.port ?? 0, listener: listener)
    }

    func stop() async {
        try? await self.listener.close()
    }

    /// A well-formed 101 for `key`, minus the headers named in `omit`, plus `extra` lines.
    static func switchingProtocols(key: String, omit: Set<String> = [], extra: [String] = []) -> String {
        var lines = ["HTTP/1.1 101 Switching Protocols"]
        if !omit.contains("Upgrade") { lines.append("Upgrade: websocket") }
        if !omit.contains("Connection") { lines.append("Connection: Upgrade") }
        if !omit.contains("Sec-WebSocket-Accept") {
            lines.append("Sec-WebSocket-Accept: \(WebSocketKey.acceptValue(forKey: key))")
        }
        lines += extra
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }
}

private final class ScriptedResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let respond: @Sendable (String) -> String
    private var received = ""
    private var answered = false

    init(respond: @escaping @Sendable (String) -> String) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        guard !self.answered else {
            return
        }
        self.received += buffer.readString(length: buffer.readableBytes) ?? ""
        guard self.received.contains("\r\n\r\n") else {
            return
        }
        self.answered = true
        let key =
            self.received.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { String($0.dropFirst("sec-websocket-key:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
        let response = self.respond(key)
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
