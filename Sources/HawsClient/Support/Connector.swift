import HawsPosix
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Connects to the first of ``HostResolver``'s addresses that accepts, all attempts sharing one deadline.
///
/// `localhost` may resolve to `::1` first while the server listens on `127.0.0.1` only; trying the next
/// address on a refusal is what users expect from curl and socat. Every attempt gets only the time left.
/// The probe walks the addresses the same way inside its own connection (``HostResolver/isWorthTryingNext(_:)``).
enum Connector {
    static func connect<Output: Sendable>(
        to addresses: [SocketAddress],
        group: any EventLoopGroup,
        deadline: NIODeadline,
        channelInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Output>
    ) async throws -> Output {
        precondition(!addresses.isEmpty, "resolve before connecting")
        var lastError: any Error = ChannelDeadlineExceeded()
        for address in addresses {
            let remaining = deadline - .now()
            guard remaining > .zero else { throw ChannelDeadlineExceeded() }
            do {
                return try await ClientBootstrap(group: group)
                    .connectTimeout(remaining)
                    .connect(to: address, channelInitializer: channelInitializer)
            } catch where HostResolver.isWorthTryingNext(error) {
                lastError = error
            }
        }
        throw lastError
    }
}
