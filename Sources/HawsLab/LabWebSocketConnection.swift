import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One real WebSocket client connection, upgraded through HAProxy (or straight to a backend).
///
/// Built on NIO's typed client upgrader, which checks `Sec-WebSocket-Accept`; the `Host` header is added here
/// because the upgrader adds only the WebSocket headers.
public final class LabWebSocketConnection: Sendable {
    /// The path the upgrade asked for.
    public let path: String
    /// `X-Haws-Server`, if the backend named itself in the 101 (lab backends do not; kept for other servers).
    public let responseHeaders: [(name: String, value: String)]
    let channel: any Channel
    private let handler: NIOLoopBound<LabClientWebSocketHandler>

    private init(
        path: String,
        responseHeaders: [(name: String, value: String)],
        channel: any Channel,
        handler: NIOLoopBound<LabClientWebSocketHandler>
    ) {
        self.path = path
        self.responseHeaders = responseHeaders
        self.channel = channel
        self.handler = handler
    }

    /// Whether the TCP connection is still open.
    public var isOpen: Bool { self.channel.isActive }

    /// Sends a text frame and waits (bounded) for its echo, which an echo backend sends back.
    public func sendTextAndAwaitEcho(_ text: String, timeout: Duration = .seconds(5)) async throws -> String {
        let channel = self.channel
        let handler = self.handler
        let path = self.path
        let promise = channel.eventLoop.makePromise(of: String.self)
        channel.eventLoop.execute {
            handler.value.sendText(text, channel: channel).cascade(to: promise)
        }
        // A promise completed twice keeps its first result, so the timer and the echo may race safely.
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(LabError(.timeout, "no echo on \(path) within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    /// Sends a ping and waits (bounded) for the pong, proving the tunnel carries control frames both ways.
    public func ping(timeout: Duration = .seconds(5)) async throws {
        let channel = self.channel
        let handler = self.handler
        let path = self.path
        let payload = (0..<8).map { _ in UInt8.random(in: 0...255) }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.sendPing(payload, channel: channel).cascade(to: promise)
        }
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(LabError(.timeout, "no pong on \(path) within \(timeout)"))
        }
        defer { timer.cancel() }
        try await promise.futureResult.get()
    }

    /// Sends a close frame with `code`, waits (bounded) for the server's close, then closes TCP.
    ///
    /// Waiting for the echo lets the server close first, so TIME_WAIT lands on the server as RFC 6455 intends.
    public func close(code: WebSocketErrorCode = .normalClosure, timeout: Duration = .seconds(2)) async {
        let channel = self.channel
        let handler = self.handler
        guard channel.isActive else {
            return
        }
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            channel.close(promise: nil)
        }
        channel.eventLoop.execute {
            handler.value.sendClose(code: code, channel: channel)
        }
        try? await channel.closeFuture.get()
        timer.cancel()
    }

    /// Closes TCP without a closing handshake (what a crashed client does; the server sees 1006).
    public func abort() async {
        try? await self.channel.close()
    }

    /// Connects to `host:port`, sends the upgrade for `path` and waits for the 101.
    ///
    /// - Parameters:
    ///   - timeout: bounds the whole attempt: connect, request, 101.
    ///   - subprotocols: offered in `Sec-WebSocket-Protocol`; a 101 naming another one fails the connection.
    /// - Throws: `LabError.Code.upgradeFailed` with the HTTP status, the wrong accept, or the transport error.
    public static func connect(
        host: String = "127.0.0.1",
        port: Int,
        path: String,
        timeout: Duration = .seconds(5),
        subprotocols: [String] = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> LabWebSocketConnection {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: host, port: port)
        } catch {
            throw LabError(.upgradeFailed, "bad address \(host):\(port): \(error)")
        }
        let channel: any Channel
        let outcome: EventLoopFuture<UpgradeOutcome>
        do {
            (channel, outcome) = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let upgrade = try Self.configure(
                            channel,
                            host: host,
                            port: port,
                            path: path,
                            subprotocols: subprotocols
                        )
                        return (channel, upgrade)
                    }
                }
        } catch {
            throw LabError(.upgradeFailed, "connect to \(host):\(port) for \(path) failed: \(error)")
        }
        do {
            switch try await Self.bounded(outcome, timeout: timeout).get() {
            case .upgraded(let channel, let handler, let head):
                let offered = Set(subprotocols)
                if let chosen = head.headers.first(name: "Sec-WebSocket-Protocol"), !offered.contains(chosen) {
                    throw LabError(
                        .upgradeFailed,
                        "upgrade of \(path): server chose subprotocol '\(chosen)' that was not offered \(subprotocols)"
                    )
                }
                let headers = head.headers.map { (name: $0.name, value: $0.value) }
                return LabWebSocketConnection(path: path, responseHeaders: headers, channel: channel, handler: handler)
            case .notUpgraded(let status):
                let reason: String
                if let status = try? await Self.bounded(status, timeout: timeout).get() {
                    reason = "HTTP \(status.code) \(status.reasonPhrase)"
                } else {
                    reason = "no HTTP response"
                }
                throw LabError(.upgradeFailed, "upgrade of \(path) refused: \(reason)")
            }
        } catch {
            // Every failure path closes the connection: a denied upgrade leaves it open otherwise.
            try? await channel.close()
            switch error {
            case let error as LabError:
                throw error
            case let error as NIOHTTPClientUpgradeError where error == .upgraderDeniedUpgrade:
                throw LabError(.upgradeFailed, "upgrade of \(path) denied: 101 with a wrong Sec-WebSocket-Accept")
            default:
                throw LabError(.upgradeFailed, "upgrade of \(path) failed: \(error)")
            }
        }
    }

    /// What the upgrade produced.
    enum UpgradeOutcome: Sendable {
        case upgraded(any Channel, NIOLoopBound<LabClientWebSocketHandler>, HTTPResponseHead)
        /// The status arrives after this outcome: NIO re-delivers the response head only once it is known.
        case notUpgraded(EventLoopFuture<HTTPResponseStatus>)
    }

    private static func configure(
        _ channel: any Channel,
        host: String,
        port: Int,
        path: String,
        subprotocols: [String]
    ) throws -> EventLoopFuture<UpgradeOutcome> {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        if !subprotocols.isEmpty {
            headers.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        }
        let requestHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeOutcome>(maxFrameSize: 1 << 20) { channel, head in
            channel.eventLoop.makeCompletedFuture {
                let handler = LabClientWebSocketHandler()
                try channel.pipeline.syncOperations.addHandlers(
                    NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0,
                        maxAccumulatedFrameCount: 64,
                        maxAccumulatedFrameSize: 1 << 20
                    ),
                    handler
                )
                return .upgraded(channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), head)
            }
        }
        let configuration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                upgradeRequestHead: requestHead,
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    // The response head is re-delivered after this returns; catch it to report the real status.
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: HTTPResponseStatus.self)
                        try channel.pipeline.syncOperations.addHandler(ResponseStatusCatcher(promise: promise))
                        return .notUpgraded(promise.futureResult)
                    }
                }
            )
        )
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
    }

    /// Fails `future` after `timeout`; the caller closes the channel on failure, so nothing leaks.
    private static func bounded<Value: Sendable>(
        _ future: EventLoopFuture<Value>,
        timeout: Duration
    ) -> EventLoopFuture<Value> {
        let promise = future.eventLoop.makePromise(of: Value.self)
        let timer = future.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(LabError(.timeout, "no upgrade response within \(timeout)"))
        }
        future.whenComplete { _ in timer.cancel() }
        future.cascade(to: promise)
        return promise.futureResult
    }
}

/// Catches the re-delivered response head of a refused upgrade and reports its status.
private final class ResponseStatusCatcher: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPResponseStatus>

    init(promise: EventLoopPromise<HTTPResponseStatus>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) {
            self.promise.succeed(head.status)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.promise.fail(LabError(.upgradeFailed, "connection closed without an HTTP response"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.promise.fail(error)
        context.close(promise: nil)
    }
}
