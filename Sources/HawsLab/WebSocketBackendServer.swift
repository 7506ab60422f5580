import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A real HTTP/1.1 + RFC 6455 backend on 127.0.0.1, the kind HAProxy sits in front of in the lab.
///
/// One instance is one HAProxy `server` line. It can be stopped and started again on the same port, so a test can
/// take a server down (its tunnels close at once, like a killed backend) and watch HAProxy mark it DOWN then UP.
/// `openWebSockets` counts the connections this server believes are upgraded, the ground truth that haws's
/// tunnel counts are checked against.
public final class WebSocketBackendServer: Sendable {
    /// The name used in HAProxy's config and echoed in the `X-Haws-Server` header of plain answers.
    public let name: String
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let openCount = Atomic<Int>(0)

    private struct State {
        var mode: LabBackendMode = .ok
        var port: Int?
        var listener: (any Channel)?
        var children: [ObjectIdentifier: any Channel] = [:]
    }

    /// - Parameters:
    ///   - name: the server's name, shown in answers.
    ///   - group: the event loops to run on; the process-wide singleton unless a test brings its own.
    public init(name: String = "backend", group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.name = name
        self.group = group
    }

    /// The port bound by the last `start`, kept after `stop` so `start(mode:port:)` can reuse it.
    public var port: Int? { self.state.withLockedValue { $0.port } }

    /// Whether the server is listening.
    public var isRunning: Bool { self.state.withLockedValue { $0.listener != nil } }

    /// The mode applied to connections accepted from now on.
    public var mode: LabBackendMode { self.state.withLockedValue { $0.mode } }

    /// WebSocket connections currently upgraded on this server (including the broken 101s of `wrongAccept`).
    public var openWebSockets: Int { self.openCount.load(ordering: .relaxed) }

    /// TCP connections currently accepted (WebSockets, pending requests, hung connections).
    public var openConnections: Int { self.state.withLockedValue { $0.children.count } }

    /// Changes the behaviour of connections accepted from now on; existing ones keep theirs.
    public func setMode(_ mode: LabBackendMode) {
        self.state.withLockedValue { $0.mode = mode }
    }

    /// Starts listening on 127.0.0.1.
    ///
    /// - Parameters:
    ///   - mode: how to answer.
    ///   - port: 0 lets the kernel choose; `nil` reuses the port of the previous run (or 0 on the first).
    /// - Returns: the bound port.
    @discardableResult
    public func start(mode: LabBackendMode = .ok, port: Int? = nil) async throws -> Int {
        let requestedPort = port ?? self.port ?? 0
        let alreadyRunning = self.state.withLockedValue { state -> Bool in
            state.mode = mode
            return state.listener != nil
        }
        if alreadyRunning, let bound = self.port {
            return bound
        }
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                self.initialize(child: channel)
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: "127.0.0.1", port: requestedPort).get()
        } catch {
            throw LabError(.socketFailed, "server \(self.name) could not bind 127.0.0.1:\(requestedPort): \(error)")
        }
        let bound = listener.localAddress?.port ?? requestedPort
        self.state.withLockedValue { state in
            state.listener = listener
            state.port = bound
        }
        return bound
    }

    /// Stops listening and closes every accepted connection, as a killed backend would. Idempotent.
    public func stop() async {
        let (listener, children) = self.state.withLockedValue { state in
            let taken = (state.listener, Array(state.children.values))
            state.listener = nil
            state.children = [:]
            return taken
        }
        if let listener {
            try? await listener.close()
        }
        for child in children {
            child.close(promise: nil)
        }
        for child in children {
            try? await child.closeFuture.get()
        }
    }

    private func initialize(child channel: any Channel) -> EventLoopFuture<Void> {
        let mode = self.state.withLockedValue { state -> LabBackendMode in
            state.children[ObjectIdentifier(channel)] = channel
            return state.mode
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = self.state.withLockedValue { $0.children.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        return channel.eventLoop.makeCompletedFuture {
            if mode.usesNIOUpgrader {
                try self.configureUpgradablePipeline(channel, mode: mode)
            } else {
                let handler = MisbehavingBackendHandler(mode: mode, serverName: self.name) { [self] tunnel in
                    self.countWebSocket(tunnel)
                }
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
    }

    /// The correct path: NIO's HTTP pipeline with `NIOWebSocketServerUpgrader`, tweaked per mode.
    private func configureUpgradablePipeline(_ channel: any Channel, mode: LabBackendMode) throws {
        let delay: TimeAmount?
        // Naming the server in the 101 lets a client (and a test) see where HAProxy sent its tunnel.
        var extraHeaders = HTTPHeaders([("X-Haws-Server", self.name)])
        switch mode {
        case .slowHandshake(let duration):
            delay = TimeAmount(duration)
        case .wrongSubprotocol:
            delay = nil
            extraHeaders.add(name: "Sec-WebSocket-Protocol", value: "haws-never-offered")
        default:
            delay = nil
        }
        let responseHeaders = extraHeaders
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, _ in
                guard let delay else {
                    return channel.eventLoop.makeSucceededFuture(responseHeaders)
                }
                return channel.eventLoop.scheduleTask(in: delay) { responseHeaders }.futureResult.map { $0 }
            },
            upgradePipelineHandler: { [self] channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0,
                            maxAccumulatedFrameCount: 64,
                            maxAccumulatedFrameSize: 1 << 20
                        ),
                        BackendWebSocketEchoHandler()
                    )
                    self.countWebSocket(channel)
                }
            }
        )
        try channel.pipeline.syncOperations.addHandler(UpgradeRefusalHandler(serverName: self.name))
        let httpHandler = BackendHTTPHandler(serverName: self.name, delay: delay)
        let boundHandler = NIOLoopBound(httpHandler, eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    // The upgrade removes NIO's HTTP handlers but not ours; it must go before frames flow.
                    context.pipeline.syncOperations.removeHandler(boundHandler.value, promise: nil)
                }
            )
        )
        try channel.pipeline.syncOperations.addHandler(httpHandler)
    }

    private func countWebSocket(_ channel: any Channel) {
        self.openCount.add(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { [self] _ in
            self.openCount.subtract(1, ordering: .relaxed)
        }
    }
}
