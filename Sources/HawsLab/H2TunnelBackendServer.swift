import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Synchronization

/// A cleartext HTTP/2 backend (prior knowledge, what HAProxy's `server ... proto h2` speaks) that accepts
/// WebSockets as RFC 8441 extended CONNECT streams, one HAProxy `server` line.
///
/// It advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL`, without which HAProxy refuses to relay a WebSocket over h2,
/// and a high `SETTINGS_MAX_CONCURRENT_STREAMS`, so one HAProxy connection carries many tunnels. `openTunnels`
/// counts the streams it answered 200 to that are still open: the ground truth haws's counts are checked against.
/// Plain requests get a small 200.
///
/// The streams are handled as frames on the connection (no `HTTP2StreamChannel` per stream): a held tunnel costs
/// one entry in NIOHTTP2's stream map and one in a set here, which is what lets one process hold 100,000.
public final class H2TunnelBackendServer: Sendable {
    /// The server's name in HAProxy's config.
    public let name: String
    /// Streams per connection this server allows (`SETTINGS_MAX_CONCURRENT_STREAMS`).
    public let maxConcurrentStreams: Int
    private let group: any EventLoopGroup
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    private let boundPort = Atomic<Int>(0)
    private let counter = TunnelCounter()

    public init(
        name: String,
        maxConcurrentStreams: Int = 10_000,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.name = name
        self.maxConcurrentStreams = maxConcurrentStreams
        self.group = group
    }

    /// The bound port (0 before `start`).
    public var port: Int { self.boundPort.load(ordering: .relaxed) }

    /// Extended CONNECT streams answered 200 and not closed yet.
    public var openTunnels: Int { self.counter.value }

    /// Listens on 127.0.0.1 (`port` 0 lets the kernel choose) and returns the bound port.
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        let settings: HTTP2Settings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: self.maxConcurrentStreams),
            HTTP2Setting(parameter: .enableConnectProtocol, value: 1),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 16_384),
        ]
        let counter = self.counter
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        NIOHTTP2Handler(mode: .server, initialSettings: settings),
                        H2TunnelServerHandler(counter: counter)
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        } catch {
            throw LabError(.socketFailed, "h2 server \(self.name) could not bind 127.0.0.1:\(port): \(error)")
        }
        self.listener.withLockedValue { $0 = channel }
        let bound = channel.localAddress?.port ?? port
        self.boundPort.store(bound, ordering: .relaxed)
        return bound
    }

    /// Stops listening. Accepted connections stay open until their peer (HAProxy) closes them, as with a
    /// backend that only stops accepting.
    public func stop() async {
        let channel = self.listener.withLockedValue { current -> (any Channel)? in
            defer { current = nil }
            return current
        }
        try? await channel?.close()
    }
}

/// An open-tunnel count shared by every connection of one server.
final class TunnelCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { self.count.load(ordering: .relaxed) }
    func add(_ delta: Int) { self.count.add(delta, ordering: .relaxed) }
}

/// One HTTP/2 connection of `H2TunnelBackendServer`, on its event loop: answers extended CONNECT
/// (`:protocol websocket`) with 200 and holds the stream; answers anything else with a small 200 and ends it.
final class H2TunnelServerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let counter: TunnelCounter
    /// Streams answered 200 to an extended CONNECT and still open.
    private var tunnels = Set<HTTP2StreamID>()

    init(counter: TunnelCounter) {
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let request) where !self.tunnels.contains(frame.streamID):
            let isWebSocket = request.headers.first(name: ":method") == "CONNECT"
                && request.headers.first(name: ":protocol")?.lowercased() == "websocket"
            if isWebSocket {
                let head = HPACKHeaders([(":status", "200")])
                context.write(Self.wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .headers(.init(headers: head)))), promise: nil)
                self.tunnels.insert(frame.streamID)
                self.counter.add(1)
            } else {
                let head = HPACKHeaders([(":status", "200"), ("content-type", "text/plain"), ("content-length", "3")])
                context.write(Self.wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .headers(.init(headers: head)))), promise: nil)
                let body = context.channel.allocator.buffer(string: "ok\n")
                let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(body), endStream: true)
                context.write(Self.wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .data(data))), promise: nil)
            }
        case .data(let payload) where payload.endStream && self.tunnels.contains(frame.streamID):
            // The client ended its half of the tunnel: end ours, which closes the stream.
            let end = HTTP2Frame.FramePayload.Data(data: .byteBuffer(context.channel.allocator.buffer(capacity: 0)), endStream: true)
            context.write(Self.wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .data(end))), promise: nil)
        default:
            // DATA inside a tunnel (WebSocket frames) is discarded: the scale lab holds tunnels, it does not echo.
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent, self.tunnels.remove(closed.streamID) != nil {
            self.counter.add(-1)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.counter.add(-self.tunnels.count)
        self.tunnels.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A stream error (one bad request) is the stream's business; NIOHTTP2 resets it. A connection error closes.
        if error is NIOHTTP2Errors.StreamError {
            return
        }
        context.close(promise: nil)
    }
}
