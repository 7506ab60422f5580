#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsPosix
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Executes one probe on one event loop: opens the channel, installs the handlers, runs the timers and carries out
/// the actions of ``ProbeStateMachine``. It decides nothing itself.
///
/// Everything here runs on `eventLoop` (handlers reach it through `NIOLoopBound`), so the machine needs no lock.
/// Two rules keep probes from leaking: every verdict closes the channel, and the result is delivered only once the
/// channel's `closeFuture` has fired, so a returned probe never leaves a socket behind.
final class ProbeConnection {
    struct Setup: Sendable {
        var target: ProbeTarget
        var options: ProbeOptions
        /// The target's addresses in ``HostResolver``'s order (at least one): the next is tried when one refuses.
        var addresses: [SocketAddress]
        var sslContext: NIOSSLContext?
        var key: String
        var pingPayload: [UInt8]
        /// Random bytes for the masking keys of the frames we send (4 per frame); more come from the system if a
        /// chatty server makes us answer many pings.
        var masks: [UInt8]
        /// When the probe started (before name resolution), for the total and the deadline.
        var probeStart: NIODeadline
        var startedAt: Date
        var resolveDuration: Duration?
    }

    /// Largest frame or reassembled message accepted from the server; replies to probes are small.
    static let maxFrameSize = 1 << 20

    private let setup: Setup
    private let eventLoop: any EventLoop
    private let promise: EventLoopPromise<ProbeResult>
    private var machine: ProbeStateMachine
    private var channel: (any Channel)?
    private var channelClosed = false
    private var delivered = false
    private var phaseTimer: Scheduled<Void>?
    private var deadlineTimer: Scheduled<Void>?
    private var masksUsed = 0
    /// The address being tried (or connected to), an index into `setup.addresses`.
    private var attempt = 0
    /// Addresses that refused before the current one, for the failure message.
    private var refused: [String] = []

    init(setup: Setup, eventLoop: any EventLoop, promise: EventLoopPromise<ProbeResult>) {
        eventLoop.preconditionInEventLoop()
        self.setup = setup
        self.eventLoop = eventLoop
        self.promise = promise
        let configuration = ProbeStateMachine.Configuration(
            mode: setup.options.mode,
            tls: setup.target.tls,
            timeouts: setup.options.timeouts,
            verifier: HandshakeVerifier(
                key: setup.key,
                offeredSubprotocols: setup.target.subprotocols,
                offeredExtensions: setup.target.extensions
            ),
            pingPayload: setup.pingPayload,
            message: setup.options.message
        )
        self.machine = ProbeStateMachine(configuration: configuration, connectStart: .now())
    }

    // MARK: Start

    /// Connects and arms the whole-probe deadline; the result arrives through the promise.
    func start(cancellation: EventLoopFuture<Void>) {
        let deadline = self.setup.probeStart + TimeAmount(self.setup.options.timeouts.deadline)
        self.deadlineTimer = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.apply(self.machine.deadlineFired(now: .now()))
        }
        cancellation.assumeIsolated().whenSuccess {
            self.apply(self.machine.cancelled())
        }
        self.connect(connectDeadline: min(.now() + TimeAmount(self.setup.options.timeouts.connect), deadline))
    }

    /// Connects to the current address; on a refusal (or an unreachable address) tries the next one, every attempt
    /// within the one connect timeout, as the other clients do (``HostResolver/isWorthTryingNext(_:)``).
    private func connect(connectDeadline: NIODeadline) {
        let bound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let connectTimeout = max(.zero, connectDeadline - .now())
        let sslContext = self.setup.sslContext
        let address = self.setup.addresses[self.attempt]
        ClientBootstrap(group: self.eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try bound.value.install(on: channel, sslContext: sslContext)
                }
            }
            .connect(to: address)
            .hop(to: self.eventLoop)
            .assumeIsolated()
            .whenFailure { error in
                if HostResolver.isWorthTryingNext(error), self.attempt + 1 < self.setup.addresses.count,
                    connectDeadline > .now(), self.machine.verdict == nil
                {
                    // The failed channel never became active; its close is not this probe's any more.
                    self.refused.append(ProbeErrorClassifier.describe(address))
                    self.channel = nil
                    self.attempt += 1
                    self.connect(connectDeadline: connectDeadline)
                    return
                }
                var failure = ProbeErrorClassifier.connectError(error, address: address)
                if case .refused(let last) = failure, !self.refused.isEmpty {
                    failure = .refused(address: (self.refused + [last]).joined(separator: ", "))
                }
                self.apply(self.machine.connectFailed(failure, now: .now()))
                if self.channel == nil {
                    // The socket was never created (for example EMFILE): there is no close to wait for.
                    self.channelClosed = true
                }
                self.deliverIfDone()
            }
    }

    /// The pipeline: [TLS] → ``ProbeChannelHandler``, which speaks HTTP and WebSocket framing for the probe.
    private func install(on channel: any Channel, sslContext: NIOSSLContext?) throws {
        self.channel = channel
        channel.closeFuture.assumeIsolated().whenComplete { _ in
            // A refused attempt's channel closes after the next attempt has started: only the current one counts.
            guard self.channel === channel else { return }
            self.closed()
        }
        if self.machine.verdict != nil {
            // The deadline or a cancellation came while moving to the next address: do not connect again.
            throw ChannelError.alreadyClosed
        }
        let pipeline = channel.pipeline.syncOperations
        if let sslContext {
            try pipeline.addHandler(
                NIOSSLClientHandler(context: sslContext, serverHostname: self.setup.target.effectiveServerName)
            )
        }
        var request = channel.allocator.buffer(capacity: 256)
        HandshakeRequest.write(for: self.setup.target, key: self.setup.key, into: &request)
        try pipeline.addHandler(
            ProbeChannelHandler(connection: self, request: request, maxMessageSize: Self.maxFrameSize)
        )
    }

    // MARK: Events from the handlers

    func channelActive() {
        self.apply(self.machine.channelActive(now: .now()))
    }

    func channelInactive() {
        self.machine.channelClosed(now: .now())
    }

    func tlsHandshakeCompleted() {
        self.apply(self.machine.tlsHandshakeCompleted(now: .now()))
    }

    /// Returns whether the head was accepted, so the handler goes on to read frames.
    func responseHead(_ head: HTTPResponseHead) -> Bool {
        let (action, forward) = self.machine.responseHead(head, now: .now())
        self.apply(action)
        return forward
    }

    /// The head was accepted: the tunnel is open (there are no handlers to swap).
    func upgradeCompleted() {
        self.apply(self.machine.upgradeCompleted(now: .now()))
    }

    /// The answer is not an HTTP response head.
    func responseMalformed(_ reason: String) {
        self.apply(self.machine.upgradeFailed(reason: reason, now: .now()))
    }

    /// The server's frames break RFC 6455.
    func protocolError(_ reason: String) {
        self.apply(self.machine.errorCaught(.malformed(reason), now: .now()))
    }

    func frameReceived(_ frame: ProbeStateMachine.Frame) {
        self.apply(self.machine.frameReceived(frame, now: .now()))
    }

    func errorCaught(_ error: any Error) {
        self.apply(self.machine.errorCaught(ProbeErrorClassifier.kind(of: error), now: .now()))
    }

    // MARK: Executing actions

    private func apply(_ action: ProbeStateMachine.Action) {
        switch action {
        case .none:
            break
        case .armTimer(let phase, let limit):
            self.armTimer(phase, limit)
        case .cancelTimer:
            self.phaseTimer?.cancel()
            self.phaseTimer = nil
        case .sendPing(let payload, let timer):
            self.armTimer(.ping, timer)
            self.send(ProbeFrameWriter.ping, payload)
        case .sendText(let text, let timer):
            self.armTimer(.message, timer)
            self.send(ProbeFrameWriter.text, Array(text.utf8))
        case .sendClose(let timer):
            self.armTimer(.close, timer)
            self.send(ProbeFrameWriter.close, [0x03, 0xE8])  // 1000, normal closure
        case .sendPong(let payload):
            self.send(ProbeFrameWriter.pong, payload)
        case .closeChannel:
            self.phaseTimer?.cancel()
            self.phaseTimer = nil
            self.channel?.close(promise: nil)
        }
    }

    private func armTimer(_ phase: ProbePhase, _ limit: Duration) {
        self.phaseTimer?.cancel()
        self.phaseTimer = self.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limit)) {
            self.apply(self.machine.timerFired(phase, now: .now()))
        }
    }

    /// Writes one masked frame (RFC 6455 requires clients to mask). A failed write surfaces as an error or a
    /// close, which the machine already handles.
    private func send(_ opcode: UInt8, _ payload: [UInt8]) {
        guard let channel = self.channel, channel.isActive else {
            return
        }
        var buffer = channel.allocator.buffer(capacity: payload.count + 14)
        ProbeFrameWriter.write(opcode: opcode, payload: payload, mask: self.nextMask(), into: &buffer)
        channel.writeAndFlush(buffer, promise: nil)
    }

    private func nextMask() -> UInt32 {
        let start = self.masksUsed
        self.masksUsed += 4
        let bytes =
            self.masksUsed <= self.setup.masks.count
            ? self.setup.masks[start..<self.masksUsed] : ArraySlice(ProbeEntropy.bytes(4))
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    // MARK: Completion

    private func closed() {
        self.channelClosed = true
        self.machine.channelClosed(now: .now())
        self.phaseTimer?.cancel()
        self.phaseTimer = nil
        self.deliverIfDone()
    }

    /// Delivers the result once there is a verdict and the socket is gone, exactly once.
    private func deliverIfDone() {
        guard !self.delivered, self.channelClosed, let verdict = self.machine.verdict else {
            return
        }
        self.delivered = true
        self.deadlineTimer?.cancel()
        self.deadlineTimer = nil
        self.phaseTimer?.cancel()
        self.phaseTimer = nil

        var timings = self.machine.timings
        timings.resolve = self.setup.resolveDuration
        timings.total = Duration(NIODeadline.now() - self.setup.probeStart)
        let failure: ProbeFailure?
        switch verdict {
        case .passed: failure = nil
        case .failed(let reason): failure = reason
        }
        let result = ProbeResult(
            target: self.setup.target,
            mode: self.setup.options.mode,
            failure: failure,
            timings: timings,
            httpStatus: self.machine.httpStatus,
            subprotocol: self.machine.agreement?.subprotocol,
            extensions: self.machine.agreement?.extensions ?? [],
            remoteAddress: ProbeErrorClassifier.describe(self.setup.addresses[self.attempt]),
            startedAt: self.setup.startedAt,
            finishedAt: Date()
        )
        self.promise.succeed(result)
    }
}
