import Foundation
import NIOCore
import NIOPosix

/// A raw TCP exchange for checking misbehaving backends byte by byte: NIO's own HTTP client would reject (or hide)
/// exactly the faults these tests must see.
struct RawExchange: Sendable {
    /// Everything the server sent.
    var received: String
    /// The server closed the connection.
    var closedByPeer: Bool
    /// The deadline passed first.
    var timedOut: Bool

    /// The status code of the first response line, if any.
    var statusCode: Int? {
        guard received.hasPrefix("HTTP/1.1 ") else {
            return nil
        }
        return Int(received.dropFirst(9).prefix(3))
    }

    /// The value of header `name` in the response head.
    func header(_ name: String) -> String? {
        let head = self.received.components(separatedBy: "\r\n\r\n").first ?? ""
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Connects to 127.0.0.1:`port`, sends `request`, and collects bytes until the response head is complete
    /// (when `untilHead`), the peer closes, or `timeout` passes.
    static func run(
        port: Int,
        request: String,
        untilHead: Bool = true,
        timeout: Duration = .seconds(3)
    ) async throws -> RawExchange {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let result: EventLoopFuture<RawExchange> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let promise = channel.eventLoop.makePromise(of: RawExchange.self)
                    let collector = Collector(promise: promise, untilHead: untilHead)
                    try channel.pipeline.syncOperations.addHandler(collector)
                    let bound = NIOLoopBound(collector, eventLoop: channel.eventLoop)
                    let nanos = Int64(timeout.components.seconds) * 1_000_000_000
                        + Int64(timeout.components.attoseconds / 1_000_000_000)
                    channel.eventLoop.scheduleTask(in: .nanoseconds(nanos)) {
                        bound.value.finish(timedOut: true)
                        channel.close(promise: nil)
                    }
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                    if !request.isEmpty {
                        channel.writeAndFlush(ByteBuffer(string: request), promise: nil)
                    }
                    return promise.futureResult
                }
            }
        return try await result.get()
    }

    /// A WebSocket upgrade request for `path` with `key`.
    static func upgradeRequest(path: String = "/ws", key: String, port: Int, extraHeaders: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n"
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let promise: EventLoopPromise<RawExchange>
        private let untilHead: Bool
        private var bytes: [UInt8] = []

        init(promise: EventLoopPromise<RawExchange>, untilHead: Bool) {
            self.promise = promise
            self.untilHead = untilHead
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = Self.unwrapInboundIn(data)
            self.bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
            if self.untilHead, String(decoding: self.bytes, as: UTF8.self).contains("\r\n\r\n") {
                self.finish(timedOut: false)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.promise.succeed(
                RawExchange(received: String(decoding: self.bytes, as: UTF8.self), closedByPeer: true, timedOut: false)
            )
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        func finish(timedOut: Bool) {
            self.promise.succeed(
                RawExchange(received: String(decoding: self.bytes, as: UTF8.self), closedByPeer: false, timedOut: timedOut)
            )
        }
    }
}
