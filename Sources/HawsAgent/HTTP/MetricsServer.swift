import NIOCore
import NIOHTTP1
import NIOPosix

/// The small HTTP/1.1 server behind `--prometheus`: NIOHTTP1 and one handler, no web framework.
public final class MetricsServer: Sendable {
    private let channel: any Channel
    /// The address actually bound (with the kernel's port when 0 was asked).
    public let address: ListenAddress

    private init(channel: any Channel, address: ListenAddress) {
        self.channel = channel
        self.address = address
    }

    /// Binds `address` and serves `render()` at `/metrics` until ``close()``.
    ///
    /// - Throws: ``AgentSettingError/Kind/cannotListen`` naming the address and the system's reason.
    public static func start(
        at address: ListenAddress, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        render: @escaping @Sendable () -> PrometheusExposition
    ) async throws(AgentSettingError) -> MetricsServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
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
