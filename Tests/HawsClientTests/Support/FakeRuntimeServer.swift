import HawsTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// An in-process stand-in for HAProxy's runtime API on a real socket: reads one line, then behaves as told.
final class FakeRuntimeServer: Sendable {
    enum Behaviour: Sendable {
        /// Answers the command line (without its `\n`) with the closure's text, then closes, like HAProxy's
        /// non-interactive mode.
        case answer(@Sendable (String) -> String)
        /// Accepts and reads, never answers nor closes: a hung HAProxy.
        case hang
        /// Closes as soon as the connection is accepted.
        case closeImmediately
        /// Writes `bytes` bytes of the answer, then resets the connection (TCP only: SO_LINGER 0).
        case resetAfter(bytes: Int)
    }

    let channel: any Channel
    private let state = NIOLockedValueBox(State())

    private struct State {
        var commands: [String] = []
        var openConnections = 0
        var acceptedConnections = 0
    }

    /// Lines received, in order.
    var commands: [String] { state.withLockedValue { $0.commands } }
    /// Connections not yet closed (by either side).
    var openConnections: Int { state.withLockedValue { $0.openConnections } }
    var acceptedConnections: Int { state.withLockedValue { $0.acceptedConnections } }

    /// The TCP port, for servers bound to loopback.
    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func unix(path: String, behaviour: Behaviour) async throws -> FakeRuntimeServer {
        try await start(behaviour: behaviour) { bootstrap in
            try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        }
    }

    static func tcp(behaviour: Behaviour) async throws -> FakeRuntimeServer {
        try await start(behaviour: behaviour) { bootstrap in
            try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        }
    }

    private static func start(
        behaviour: Behaviour,
        bind: (ServerBootstrap) async throws -> any Channel
    ) async throws -> FakeRuntimeServer {
        let box = NIOLockedValueBox<FakeRuntimeServer?>(nil)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            // Like HAProxy, keep going when the client half-closes after its command.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLockedValue({ $0 }) else { return }
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server, behaviour: behaviour))
                }
            }
        let server = FakeRuntimeServer(channel: try await bind(bootstrap))
        box.withLockedValue { $0 = server }
        return server
    }

    func close() async {
        try? await channel.close()
    }

    /// Waits (bounded) until the server has accepted `accepted` connections and every one is closed again.
    ///
    /// Accepting lags behind the client's connect (the kernel queues the connection), so a client that gave
    /// up can be seen by the server later; the count settles within the bound.
    func waitUntilAllConnectionsClosed(accepted: Int = 0, within limit: Duration = .seconds(3)) async -> Bool {
        await waitUntil(within: limit) { $0.openConnections == 0 && $0.acceptedConnections >= accepted }
    }

    /// Waits (bounded) until `condition` holds; whether it does.
    func waitUntil(
        within limit: Duration = .seconds(3),
        _ condition: (FakeRuntimeServer) -> Bool
    ) async -> Bool {
        await eventually(timeout: limit, interval: .milliseconds(20)) { condition(self) }
    }

    fileprivate func connectionOpened() {
        state.withLockedValue {
            $0.openConnections += 1
            $0.acceptedConnections += 1
        }
    }

    fileprivate func connectionClosed() {
        state.withLockedValue { $0.openConnections -= 1 }
    }

    fileprivate func received(_ command: String) {
        state.withLockedValue { $0.commands.append(command) }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let server: FakeRuntimeServer
        private let behaviour: Behaviour
        private var pending = ByteBuffer()
        private var answered = false

        init(server: FakeRuntimeServer, behaviour: Behaviour) {
            self.server = server
            self.behaviour = behaviour
        }

        func channelActive(context: ChannelHandlerContext) {
            server.connectionOpened()
            if case .closeImmediately = behaviour {
                context.close(promise: nil)
            }
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            server.connectionClosed()
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            pending.writeBuffer(&chunk)
            guard !answered, let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return }
            answered = true
            let length = newline - pending.readerIndex
            let command = pending.readString(length: length) ?? ""
            server.received(command)
            switch behaviour {
            case .answer(let respond):
                let answer = context.channel.allocator.buffer(string: respond(command))
                context.writeAndFlush(wrapOutboundOut(answer)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            case .hang, .closeImmediately:
                break
            case .resetAfter(let bytes):
                let answer = context.channel.allocator.buffer(repeating: UInt8(ascii: "x"), count: bytes)
                context.writeAndFlush(wrapOutboundOut(answer)).assumeIsolated().whenComplete { _ in
                    // SO_LINGER 0 turns close into a TCP reset.
                    if let socket = context.channel as? any SocketOptionProvider {
                        _ = socket.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                    }
                    context.close(promise: nil)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
