import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

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
        var address: SocketAddress
        var sslContext: NIOSSLContext?
        var key: String
        var pingPayload: [UInt8]
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
        let bound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let deadline = self.setup.probeStart + TimeAmount(self.setup.options.timeouts.deadline)
        self.deadlineTimer = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.apply(self.machine.deadlineFired(now: .now()))
        }
        cancellation.assumeIsolated().whenSuccess {
            self.apply(self.machine.cancelled())
        }
        let remaining = deadline - .now()
        let connectTimeout = max(.zero, min(TimeAmount(self.setup.options.timeouts.connect), remaining))
        let sslContext = self.setup.sslContext
        let address = self.setup.address
        ClientBootstrap(group: self.eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try bound.value.install(on: channel, sslContext: sslContext)
                }
            }
            .connect(to: address)
            .hop(to: self.eventLoop)
            .assumeIsolated()
            .whenFailure { error in
                self.apply(
                    self.machine.connectFailed(ProbeErrorClassifier.connectError(error, address: address), now: .now())
                )
                if self.channel == nil {
                    // The socket was never created (for example EMFILE): there is no close to wait for.
                    self.channelClosed = true
                }
                self.deliverIfDone()
            }
    }

    /// The pipeline: [TLS] → events → HTTP encoder/decoder → head recorder → NIO's upgrade handler. On the 101 NIO
    /// removes the HTTP handlers and the recorder, and adds the frame codec, the aggregator and our frame handler.
    private func install(on channel: any Channel, sslContext: NIOSSLContext?) throws {
        self.channel = channel
        let bound = NIOLoopBound(self, eventLoop: self.eventLoop)
        channel.closeFuture.assumeIsolated().whenComplete { _ in
            self.closed()
        }

        let pipeline = channel.pipeline.syncOperations
        if let sslContext {
            try pipeline.addHandler(
                NIOSSLClientHandler(context: sslContext, serverHostname: self.setup.target.effectiveServerName)
            )
        }
        try pipeline.addHandler(ProbeEventsHandler(connection: self))

        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        let recorder = ResponseHeadHandler(connection: self)
        let upgrader = NIOTypedWebSocketClientUpgrader<Void>(
            requestKey: self.setup.key,
            maxFrameSize: Self.maxFrameSize,
            enableAutomaticErrorHandling: true,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0,
                            maxAccumulatedFrameCount: 64,
                            maxAccumulatedFrameSize: Self.maxFrameSize
                        ),
                        ProbeFrameHandler(connection: bound.value)
                    )
                }
            }
        )
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Void>(
            upgradeRequestHead: HandshakeRequest.head(for: self.setup.target),
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                // Unreachable: the recorder never forwards a head the verifier rejected, and it rejects every
                // non-101. Fail rather than leave the upgrade pending.
                channel.eventLoop.makeFailedFuture(ChannelError.inappropriateOperationForState)
            }
        )
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(
            httpHandlers: [encoder, decoder, recorder],
            upgradeConfiguration: configuration
        )
        try pipeline.addHandlers(encoder, decoder, recorder, upgradeHandler)
        upgradeHandler.upgradeResultFuture.assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                self.apply(self.machine.upgradeCompleted(now: .now()))
            case .failure(let error):
                self.apply(self.machine.upgradeFailed(reason: "\(error)", now: .now()))
            }
        }
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

    /// Returns whether the head may continue to NIO's upgrader.
    func responseHead(_ head: HTTPResponseHead) -> Bool {
        let (action, forward) = self.machine.responseHead(head, now: .now())
        self.apply(action)
        return forward
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
            self.send(.ping, payload)
        case .sendText(let text, let timer):
            self.armTimer(.message, timer)
            self.send(.text, Array(text.utf8))
        case .sendClose(let timer):
            self.armTimer(.close, timer)
            var payload = ByteBuffer()
            payload.write(webSocketErrorCode: .normalClosure)
            self.send(.connectionClose, Array(payload.readableBytesView))
        case .sendPong(let payload):
            self.send(.pong, payload)
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
    private func send(_ opcode: WebSocketOpcode, _ payload: [UInt8]) {
        guard let channel = self.channel, channel.isActive else {
            return
        }
        var buffer = channel.allocator.buffer(capacity: payload.count)
        buffer.writeBytes(payload)
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: buffer)
        channel.writeAndFlush(frame, promise: nil)
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
            remoteAddress: ProbeErrorClassifier.describe(self.setup.address),
            startedAt: self.setup.startedAt,
            finishedAt: Date()
        )
        self.promise.succeed(result)
    }
}
