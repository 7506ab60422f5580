import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The small HTTP/1.1 server behind `--prometheus`: NIOHTTP1 and one handler, no web framework.
public final class MetricsServer: Sendable {
    private let channel: any Channel
    /// The address actually bound (with the kernel's port when 0 was asked).
    public let address: ListenAddress

    private init(channel: any Channel, address: ListenAddress) {
        self.channel = channel
        self.address = address
    }

    /// Binds `address` and serves what `render` emits at `/metrics` until ``close()``.
    ///
    /// - Throws: ``AgentSettingError/Kind/cannotListen`` naming the address and the system's reason.
    public static func start(
        at address: ListenAddress, limits: MetricsServerLimits = MetricsServerLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        render: @escaping @Sendable (_ emit: (ByteBuffer) -> Void) -> Void
    ) async throws(AgentSettingError) -> MetricsServer {
        let registry = ConnectionRegistry(maxConnections: limits.maxConnections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                guard let activity = registry.admit(channel) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHTTPHandler(limits: limits, activity: activity, render: render))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
            let port = channel.localAddress?.port ?? address.port
            return MetricsServer(channel: channel, address: ListenAddress(host: address.host, port: port))
        } catch {
            throw AgentSettingError(.cannotListen, "cannot serve /metrics on \(address): \(error)")
        }
    }

    /// Stops accepting scrapes.
    public func close() async {
        try? await channel.close()
    }
}

/// Whether a connection is between requests (idle, evictable) or inside one; set by its ``MetricsHTTPHandler``.
final class ConnectionActivity: Sendable {
    private let busy = Atomic<Bool>(false)
    var isBusy: Bool { busy.load(ordering: .relaxed) }
    func set(busy value: Bool) { busy.store(value, ordering: .relaxed) }
}

/// The connections open on the listener, oldest first. At the limit, a new connection makes room by closing the
/// oldest one that is between requests (idle clients cannot hold the port: a scrape always gets in), or, when
/// every one is inside a request, is closed at once. Either way the agent's descriptors stay bounded.
///
/// Accepted connections are initialised on several event loops: a mutex, held for a scan of at most
/// `maxConnections` entries per accepted connection.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let id: ObjectIdentifier
        let channel: any Channel
        let activity: ConnectionActivity
    }
    private let maxConnections: Int
    private let open = NIOLockedValueBox<[Entry]>([])

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    /// The activity flag of an admitted connection, or `nil` when it must be closed.
    func admit(_ channel: any Channel) -> ConnectionActivity? {
        let activity = ConnectionActivity()
        let id = ObjectIdentifier(channel)
        let (admitted, evicted): (Bool, (any Channel)?) = open.withLockedValue { entries in
            var evicted: (any Channel)?
            if entries.count >= maxConnections {
                guard let idle = entries.firstIndex(where: { !$0.activity.isBusy }) else { return (false, nil) }
                evicted = entries.remove(at: idle).channel
            }
            entries.append(Entry(id: id, channel: channel, activity: activity))
            return (true, evicted)
        }
        evicted?.close(promise: nil)
        guard admitted else { return nil }
        channel.closeFuture.whenComplete { [self] _ in open.withLockedValue { $0.removeAll { $0.id == id } } }
        return activity
    }

    var count: Int { open.withLockedValue { $0.count } }
}
