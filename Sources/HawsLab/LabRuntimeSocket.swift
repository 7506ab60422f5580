import NIOCore
import NIOPosix
import Synchronization

/// Sends one command batch to an HAProxy runtime API socket and reads the answer until HAProxy closes.
///
/// The lab needs this for the master socket (`show proc`) and its tests for `show stat`; haws proper has its own
/// client in HawsClient, which the lab must not depend on. One connection per batch is what HAProxy's
/// non-interactive mode expects: the client half-closes after the command, HAProxy answers and closes.
public enum LabRuntimeSocket {
    /// Sends `command` (a newline is added) to the Unix socket at `path`.
    public static func send(
        _ command: String,
        unixSocketPath path: String,
        timeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> String {
        let bootstrap = ClientBootstrap(group: group).connectTimeout(TimeAmount(timeout))
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await bootstrap.connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        } catch {
            throw LabError(.socketFailed, "cannot connect to \(path): \(error)")
        }
        return try await exchange(command, over: channel, timeout: timeout, peer: path)
    }

    /// Sends `command` to a TCP runtime socket (`stats socket ipv4@127.0.0.1:PORT`).
    public static func send(
        _ command: String,
        port: Int,
        host: String = "127.0.0.1",
        timeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> String {
        let bootstrap = ClientBootstrap(group: group).connectTimeout(TimeAmount(timeout))
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            let address = try SocketAddress(ipAddress: host, port: port)
            channel = try await bootstrap.connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        } catch {
            throw LabError(.socketFailed, "cannot connect to \(host):\(port): \(error)")
        }
        return try await exchange(command, over: channel, timeout: timeout, peer: "\(host):\(port)")
    }

    private static func exchange(
        _ command: String,
        over channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        timeout: Duration,
        peer: String
    ) async throws -> String {
        let timedOut = TimeoutFlag()
        let underlying = channel.channel
        let deadline = underlying.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            timedOut.set()
            underlying.close(promise: nil)
        }
        defer { deadline.cancel() }
        var answer = ByteBuffer()
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: command.hasSuffix("\n") ? command : command + "\n"))
                // Half-close like `echo cmd | socat`: the master CLI answers but waits for the client's end of input.
                outbound.finish()
                for try await var chunk in inbound {
                    answer.writeBuffer(&chunk)
                }
            }
        } catch {
            // HAProxy may reset instead of closing cleanly after an error message; keep what arrived.
            if !timedOut.isSet, answer.readableBytes == 0 {
                throw LabError(.socketFailed, "runtime API at \(peer) failed: \(error)")
            }
        }
        if timedOut.isSet {
            throw LabError(.timeout, "runtime API at \(peer) did not answer '\(command)' within \(timeout)")
        }
        return String(buffer: answer)
    }
}

/// A one-way flag set from an event loop and read from a task.
final class TimeoutFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() {
        self.value.store(true, ordering: .releasing)
    }

    var isSet: Bool { self.value.load(ordering: .acquiring) }
}
