#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsPosix
import NIOCore
import NIOPosix
import NIOSSL

/// Runs WebSocket probes: one at a time or many with bounded concurrency.
///
/// Probes run on NIO event loops, not on Swift tasks: a probe is a handful of callbacks on one loop and costs no
/// thread, and its deadline is a timer on that loop that closes the channel, so a hung backend can never keep a
/// probe (or its socket) alive past the deadline. The async API only waits for the result.
public final class Prober: Sendable {
    /// Default number of probes in flight in ``probeAll(_:options:concurrency:jitter:)``. Beyond a few hundred the
    /// measured latency is the prober's own backlog rather than the server's.
    public static let defaultConcurrency = 64

    private let group: any EventLoopGroup
    private let tlsContexts = TLSContextCache()
    private let resolver: HostResolver

    /// - Parameters:
    ///   - group: the event loops probes run on; the process-wide singleton unless the caller manages its own.
    ///   - raiseFileLimit: raise the soft `RLIMIT_NOFILE` to the hard limit (once per process), so a large probe
    ///     run does not fail with "too many open files".
    ///   - resolver: turns a target's host name into the addresses tried in turn (``HostResolver``).
    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, raiseFileLimit: Bool = true,
        resolver: HostResolver = .system
    ) {
        self.group = group
        self.resolver = resolver
        if raiseFileLimit {
            FileDescriptorLimit.raiseSoftLimitToHard()
        }
    }

    /// A prober that runs every probe on one event loop of the process-wide group, for a one-off batch such as
    /// `haws probe --count`.
    ///
    /// A few hundred probes in flight keep one thread busy at most; spreading them over every loop only adds
    /// wake-ups between threads (measured on 2 cores: about 20% more CPU per handshake, and a lower rate).
    public static func singleLoop(raiseFileLimit: Bool = true) -> Prober {
        Prober(group: MultiThreadedEventLoopGroup.singleton.next(), raiseFileLimit: raiseFileLimit)
    }

    /// A prober on a thread of its own, for continuous probing: the probe budget reads that thread's CPU time
    /// (``eventLoopCPUTime()``), which is then the cost of probing alone, and a poll never waits behind a probe.
    public static func dedicatedLoop(raiseFileLimit: Bool = true) -> Prober {
        Prober(group: MultiThreadedEventLoopGroup(numberOfThreads: 1), raiseFileLimit: raiseFileLimit)
    }

    /// The CPU time the prober's event loops have used so far (all loops of its group, read on each loop).
    public func eventLoopCPUTime() async -> Duration {
        var total = Duration.zero
        for loop in self.group.makeIterator() {
            total += (try? await loop.submit { ThreadCPUTime.now() }.get()) ?? .zero
        }
        return total
    }

    /// Probes one target. Never throws: every problem, including an invalid target or a cancelled task, is a
    /// ``ProbeResult`` with a ``ProbeFailure``.
    public func probe(_ target: ProbeTarget, options: ProbeOptions = ProbeOptions()) async -> ProbeResult {
        if Task.isCancelled {
            return Self.failed(target, options, .cancelled, since: NIODeadline.now(), startedAt: Date())
        }
        let eventLoop = self.group.next()
        let cancellation = eventLoop.makePromise(of: Void.self)
        let result = eventLoop.flatSubmit {
            self.start(target, options: options, on: eventLoop, cancellation: cancellation.futureResult)
        }
        let outcome = await withTaskCancellationHandler {
            // The connection always delivers (every path ends in a closed channel), so this cannot fail.
            try? await result.get()
        } onCancel: {
            cancellation.succeed(())
        }
        // Completes the cancellation promise on the normal path too; NIO flags promises dropped unfulfilled.
        cancellation.succeed(())
        return outcome ?? Self.failed(target, options, .cancelled, since: NIODeadline.now(), startedAt: Date())
    }

    /// Probes every target with at most `concurrency` in flight; results come back in the order of `targets`.
    ///
    /// The whole batch runs on one event loop (``ProbeBatch``): each probe is started from the completion of the
    /// previous one, without a Swift task per probe.
    ///
    /// - Parameters:
    ///   - concurrency: probes in flight at once (at least 1).
    ///   - jitter: each probe waits a random delay below this before starting, so probes of a large batch (and of
    ///     successive cycles) do not hit HAProxy in lock-step bursts that would show up as latency.
    public func probeAll(
        _ targets: [ProbeTarget],
        options: ProbeOptions = ProbeOptions(),
        concurrency: Int = Prober.defaultConcurrency,
        jitter: Duration = .milliseconds(10)
    ) async -> [ProbeResult] {
        let eventLoop = self.group.next()
        let cancellation = eventLoop.makePromise(of: Void.self)
        let jitterNanoseconds = jitter > .zero ? max(1, Self.nanoseconds(jitter)) : 0
        let results = eventLoop.flatSubmit {
            ProbeBatch(
                count: targets.count, concurrency: concurrency, jitterNanoseconds: jitterNanoseconds,
                eventLoop: eventLoop,
                start: { index, cancellation in
                    self.start(targets[index], options: options, on: eventLoop, cancellation: cancellation)
                },
                notStarted: { index in
                    Self.failed(targets[index], options, .cancelled, since: NIODeadline.now(), startedAt: Date())
                }
            ).run(cancellation: cancellation.futureResult)
        }
        let outcome = await withTaskCancellationHandler {
            try? await results.get()
        } onCancel: {
            cancellation.succeed(())
        }
        cancellation.succeed(())
        return outcome
            ?? targets.map { Self.failed($0, options, .cancelled, since: NIODeadline.now(), startedAt: Date()) }
    }

    /// Starts one probe from `eventLoop` and runs it there; the future always succeeds, with the probe's result.
    private func start(
        _ target: ProbeTarget, options: ProbeOptions, on eventLoop: any EventLoop,
        cancellation: EventLoopFuture<Void>
    ) -> EventLoopFuture<ProbeResult> {
        let startedAt = Date()
        let probeStart = NIODeadline.now()
        func failed(_ failure: ProbeFailure, resolve: Duration? = nil) -> EventLoopFuture<ProbeResult> {
            eventLoop.makeSucceededFuture(
                Self.failed(target, options, failure, since: probeStart, startedAt: startedAt, resolve: resolve))
        }
        do {
            try target.validate()
        } catch {
            return failed(.invalidTarget(reason: error.reason))
        }
        var sslContext: NIOSSLContext?
        if target.tls {
            do {
                sslContext = try self.tlsContexts.context(for: options.tls)
            } catch {
                return failed(error)
            }
        }
        func connect(_ addresses: [SocketAddress], resolveDuration: Duration?) -> EventLoopFuture<ProbeResult> {
            // One system call for every random byte of the probe: the key, the ping payload, masks for four frames.
            let entropy = ProbeEntropy.bytes(48)
            let setup = ProbeConnection.Setup(
                target: target,
                options: options,
                addresses: addresses,
                sslContext: sslContext,
                key: WebSocketKey.key(Array(entropy[0..<16])),
                pingPayload: Array(entropy[16..<32]),
                masks: Array(entropy[32...]),
                probeStart: probeStart,
                startedAt: startedAt,
                resolveDuration: resolveDuration
            )
            let result = eventLoop.makePromise(of: ProbeResult.self)
            ProbeConnection(setup: setup, eventLoop: eventLoop, promise: result).start(cancellation: cancellation)
            return result.futureResult
        }
        if let literal = try? SocketAddress(ipAddress: target.host, port: target.port) {
            return connect([literal], resolveDuration: nil)
        }
        let limit = min(options.timeouts.resolve, options.timeouts.deadline)
        return self.resolver.resolve(
            host: target.host, port: target.port, deadline: probeStart + TimeAmount(limit), eventLoop: eventLoop
        ).assumeIsolated().flatMap { addresses -> EventLoopFuture<ProbeResult> in
            connect(addresses, resolveDuration: Duration(NIODeadline.now() - probeStart))
        }.flatMapError { error -> EventLoopFuture<ProbeResult> in
            let failure: ProbeFailure =
                switch error {
                case is HostResolutionTimedOut: .timeout(phase: .resolve, after: limit)
                case let error as HostResolutionError: .resolve(host: error.host, reason: error.reason)
                default: .resolve(host: target.host, reason: "\(error)")
                }
            return failed(failure, resolve: Duration(NIODeadline.now() - probeStart))
        }.nonisolated()
    }

    /// A result that never reached the network (invalid target, TLS files, resolution, cancellation).
    private static func failed(
        _ target: ProbeTarget, _ options: ProbeOptions, _ failure: ProbeFailure, since probeStart: NIODeadline,
        startedAt: Date, resolve: Duration? = nil
    ) -> ProbeResult {
        ProbeResult(
            target: target,
            mode: options.mode,
            failure: failure,
            timings: ProbeTimings(resolve: resolve, total: Duration(NIODeadline.now() - probeStart)),
            startedAt: startedAt,
            finishedAt: Date()
        )
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
