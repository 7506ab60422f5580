import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// Many WebSocket tunnels over HTTP/2 (RFC 8441) through one HAProxy `bind ... proto h2`, held open.
///
/// Each connection speaks cleartext HTTP/2 with prior knowledge, waits for the frontend's SETTINGS (which must
/// carry `SETTINGS_ENABLE_CONNECT_PROTOCOL`), then opens its share of extended CONNECT streams
/// (`:method CONNECT`, `:protocol websocket`) in one write and counts the 200s. Streams are frames on the
/// connection (no stream channel, no task per tunnel), so 100,000 tunnels are about 100 connections and a
/// stream-map entry each.
public final class H2TunnelClient: Sendable {
    public let host: String
    public let port: Int
    public let path: String
    /// Tunnels per connection; at most what the frontend allows (`tune.h2.max-concurrent-streams`).
    public let streamsPerConnection: Int
    /// Bounds each connection's connect + SETTINGS + all its 200s.
    public let timeout: Duration
    private let group: any EventLoopGroup
    private let channels = NIOLockedValueBox<[any Channel]>([])
    private let counter = TunnelCounter()

    public init(
        host: String = "127.0.0.1",
        port: Int,
        path: String,
        streamsPerConnection: Int = 1000,
        timeout: Duration = .seconds(20),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.path = path
        self.streamsPerConnection = max(1, streamsPerConnection)
        self.timeout = timeout
        self.group = group
    }

    /// Tunnels answered 200 and still open, as this client sees them.
    public var openTunnels: Int { self.counter.value }

    /// Opens `count` more tunnels, `window` connections at a time, and returns when all are established.
    ///
    /// - Throws: `LabError.Code.upgradeFailed` with how many failed and why (grouped by reason); the tunnels that
    ///   did open stay open and are closed by `closeAll()`.
    public func open(count: Int, window: Int = 8) async throws {
        guard count > 0 else {
            return
        }
        OpenFileLimit.raiseToHardLimit()
        let shares = stride(from: 0, to: count, by: self.streamsPerConnection).map {
            min(self.streamsPerConnection, count - $0)
        }
        var failures: [String: Int] = [:]
        var opened = 0
        await withTaskGroup(of: Result<Int, LabError>.self) { tasks in
            var next = shares.makeIterator()
            var running = 0
            while running < max(1, window), let share = next.next() {
                running += 1
                tasks.addTask { await self.openConnection(streams: share) }
            }
            for await result in tasks {
                switch result {
                case .success(let streams): opened += streams
                case .failure(let error): failures[error.detail, default: 0] += 1
                }
                if !Task.isCancelled, let share = next.next() {
                    tasks.addTask { await self.openConnection(streams: share) }
                }
            }
        }
        guard failures.isEmpty else {
            let reasons = failures.sorted { $0.value > $1.value }.map { "\($0.value)x \($0.key)" }.joined(separator: "; ")
            throw LabError(.upgradeFailed, "\(count - opened) of \(count) h2 WebSocket tunnels to \(self.path) failed: \(reasons)")
        }
    }

    /// Closes every connection (and so every tunnel) at once, and waits until they are closed.
    public func closeAll() async {
        let all = self.channels.withLockedValue { channels -> [any Channel] in
            defer { channels = [] }
            return channels
        }
        for channel in all {
            channel.close(promise: nil)
        }
        for channel in all {
            try? await channel.closeFuture.get()
        }
    }

    /// One connection carrying `streams` tunnels; on failure the connection is closed and the reason returned.
    private func openConnection(streams: Int) async -> Result<Int, LabError> {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: self.host, port: self.port)
        } catch {
            return .failure(LabError(.upgradeFailed, "bad address \(self.host):\(self.port)"))
        }
        let authority = "\(self.host):\(self.port)"
        let (path, counter, timeout) = (self.path, self.counter, self.timeout)
        let channel: any Channel
        let established: EventLoopFuture<Int>
        do {
            (channel, established) = try await ClientBootstrap(group: self.group)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: Int.self)
                        let handler = H2TunnelClientHandler(
                            wanted: streams,
                            authority: authority,
                            path: path,
                            counter: counter,
                            established: promise
                        )
                        try channel.pipeline.syncOperations.addHandlers(NIOHTTP2Handler(mode: .client), handler)
                        channel.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                            promise.fail(LabError(.timeout, "no answer to all \(streams) streams within \(timeout)"))
                        }
                        return (channel, promise.futureResult)
                    }
                }
        } catch {
            return .failure(LabError(.upgradeFailed, "connect to \(authority) failed: \(error)"))
        }
        self.channels.withLockedValue { $0.append(channel) }
        do {
            return .success(try await established.get())
        } catch let error as LabError {
            channel.close(promise: nil)
            return .failure(error)
        } catch {
            channel.close(promise: nil)
            return .failure(LabError(.upgradeFailed, "\(error)"))
        }
    }
}

/// The client side of one HTTP/2 connection of `H2TunnelClient`, on its event loop.
final class H2TunnelClientHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let wanted: Int
    private let authority: String
    private let path: String
    private let counter: TunnelCounter
    private let established: EventLoopPromise<Int>
    private var requested = false
    /// Streams answered 200 and still open.
    private var tunnels = Set<HTTP2StreamID>()
    private var answered = 0

    init(wanted: Int, authority: String, path: String, counter: TunnelCounter, established: EventLoopPromise<Int>) {
        self.wanted = wanted
        self.authority = authority
        self.path = path
        self.counter = counter
        self.established = established
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.payload {
        case .settings(.settings(let settings)) where !self.requested:
            self.requested = true
            self.requestTunnels(context: context, settings: settings)
        case .headers(let response):
            guard let status = response.headers.first(name: ":status"), !status.hasPrefix("1") else {
                return
            }
            self.answered += 1
            if status == "200" && !response.endStream {
                self.tunnels.insert(frame.streamID)
                self.counter.add(1)
            } else {
                self.established.fail(LabError(.upgradeFailed, "extended CONNECT answered \(status)"))
            }
            if self.answered == self.wanted {
                self.established.succeed(self.tunnels.count)
            }
        default:
            break
        }
    }

    private func requestTunnels(context: ChannelHandlerContext, settings: HTTP2Settings) {
        guard settings.contains(where: { $0.parameter == .enableConnectProtocol && $0.value == 1 }) else {
            self.established.fail(LabError(.upgradeFailed, "the frontend does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)"))
            return
        }
        // Absent from SETTINGS means unlimited (RFC 9113 6.5.2).
        let limit = settings.last(where: { $0.parameter == .maxConcurrentStreams })?.value ?? Int.max
        guard self.wanted <= limit else {
            self.established.fail(LabError(.upgradeFailed, "the frontend allows \(limit) streams per connection, \(self.wanted) asked (tune.h2.max-concurrent-streams)"))
            return
        }
        let headers = HPACKHeaders([
            (":method", "CONNECT"),
            (":protocol", "websocket"),
            (":scheme", "http"),
            (":path", self.path),
            (":authority", self.authority),
            ("sec-websocket-version", "13"),
        ])
        for index in 0..<self.wanted {
            let streamID = HTTP2StreamID(1 + 2 * index)
            context.write(Self.wrapOutboundOut(HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: headers)))), promise: nil)
        }
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent, self.tunnels.remove(closed.streamID) != nil {
            self.counter.add(-1)
            if self.answered < self.wanted {
                self.established.fail(LabError(.upgradeFailed, "a tunnel closed before all were established"))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.counter.add(-self.tunnels.count)
        self.tunnels.removeAll()
        self.established.fail(LabError(.upgradeFailed, "the frontend closed the connection (\(self.answered) of \(self.wanted) answered)"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOHTTP2Errors.StreamError {
            return
        }
        self.established.fail(LabError(.upgradeFailed, "HTTP/2 error: \(error)"))
        context.close(promise: nil)
    }
}
