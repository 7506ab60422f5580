import NIOCore
import NIOHTTP1

/// The protocol logic of one probe: which step comes next, what each event means, and the verdict.
///
/// Like NIO's `NIOTypedHTTPClientUpgraderStateMachine`, it is a pure value that turns events into actions; the
/// channel handlers only execute them. Every branch (a pong with the wrong payload, a close frame before the pong, a
/// timer that fires after its phase ended) is therefore testable without sockets. The first failure wins and later
/// events cannot change a verdict, which is what keeps teardown noise (resets, errors while closing) out of results.
package struct ProbeStateMachine {
    struct Configuration {
        var mode: ProbeOptions.Mode
        var tls: Bool
        var timeouts: ProbeTimeouts
        var verifier: HandshakeVerifier
        /// Random bytes the pong must echo, so a canned or stale pong cannot pass.
        var pingPayload: [UInt8]
        var message: ProbeMessage?
    }

    enum State: Equatable {
        case connecting
        case tlsHandshaking
        /// The upgrade request is out (or queued behind TLS); waiting for the response head.
        case awaitingResponse
        /// The head passed the verifier; NIO is swapping HTTP handlers for WebSocket ones.
        case upgrading
        case awaitingPong
        case awaitingReply
        /// Our close frame is out; waiting for the server's.
        case closing
        /// Close frames exchanged; giving the server a bounded chance to close TCP first, so TIME_WAIT lands on the
        /// server as RFC 6455 intends rather than piling up on the prober.
        case awaitingServerClose
        /// Nothing more to do: the channel is closing or closed.
        case done
    }

    enum Verdict: Equatable {
        case passed
        case failed(ProbeFailure)
    }

    /// What the channel handlers must do next.
    enum Action: Equatable {
        case none
        /// (Re)arm the single phase timer; an earlier one is cancelled.
        case armTimer(ProbePhase, Duration)
        /// Cancel the phase timer: what remains of the phase is local work (NIO swapping handlers after a 101).
        case cancelTimer
        case sendPing([UInt8], timer: Duration)
        case sendText(String, timer: Duration)
        /// Send close 1000 (normal closure) and arm the close timer.
        case sendClose(timer: Duration)
        case sendPong([UInt8])
        case closeChannel
    }

    /// Errors as the machine needs them: where they come from decides the failure class.
    enum ErrorKind: Equatable {
        /// From the TLS layer (handshake or record errors).
        case tls(String)
        /// A socket error such as a reset or a broken pipe.
        case io(String)
        /// Malformed HTTP or WebSocket data.
        case malformed(String)
    }

    /// How a TCP connect failed.
    enum ConnectError: Equatable {
        case refused(address: String)
        case timedOut
        case other(String)
    }

    /// A decoded WebSocket frame, reduced to what the probe looks at.
    package enum Frame: Equatable {
        case ping([UInt8])
        case pong([UInt8])
        case text(String)
        case binary(count: Int)
        case close(code: UInt16?)
    }

    let configuration: Configuration
    private(set) var state: State = .connecting
    private(set) var verdict: Verdict?
    private(set) var timings = ProbeTimings()
    private(set) var httpStatus: Int?
    private(set) var agreement: HandshakeAgreement?
    /// When the current phase started.
    private var phaseStart: NIODeadline

    /// - Parameter connectStart: when `connect()` was called; the connect phase is measured from here.
    init(configuration: Configuration, connectStart: NIODeadline) {
        self.configuration = configuration
        self.phaseStart = connectStart
    }

    /// The phase the machine is in, for timers and deadline verdicts.
    var currentPhase: ProbePhase? {
        switch self.state {
        case .connecting: .connect
        case .tlsHandshaking: .tls
        case .awaitingResponse, .upgrading: .upgrade
        case .awaitingPong: .ping
        case .awaitingReply: .message
        case .closing, .awaitingServerClose: .close
        case .done: nil
        }
    }

    // MARK: Connection

    mutating func channelActive(now: NIODeadline) -> Action {
        guard self.state == .connecting else {
            return .none
        }
        self.endPhase(.connect, now: now)
        if self.configuration.tls {
            self.state = .tlsHandshaking
            return .armTimer(.tls, self.configuration.timeouts.tls)
        }
        self.state = .awaitingResponse
        return .armTimer(.upgrade, self.configuration.timeouts.upgrade)
    }

    mutating func connectFailed(_ error: ConnectError, now: NIODeadline) -> Action {
        guard self.state == .connecting else {
            return .none
        }
        self.state = .done
        switch error {
        case .refused(let address):
            return self.fail(.connectRefused(address: address))
        case .timedOut:
            return self.fail(.connectTimeout(after: self.elapsed(now)))
        case .other(let reason):
            return self.fail(.connectFailed(reason: reason))
        }
    }

    mutating func tlsHandshakeCompleted(now: NIODeadline) -> Action {
        guard self.state == .tlsHandshaking else {
            return .none
        }
        self.endPhase(.tls, now: now)
        self.state = .awaitingResponse
        return .armTimer(.upgrade, self.configuration.timeouts.upgrade)
    }

    // MARK: Handshake

    /// The first response head. Returns whether NIO's upgrader may see it: a rejected head goes no further, so NIO
    /// never starts an upgrade (or a not-upgrading path) for a connection the probe is closing.
    mutating func responseHead(_ head: HTTPResponseHead, now: NIODeadline) -> (action: Action, forward: Bool) {
        guard self.state == .awaitingResponse else {
            return (.none, false)
        }
        self.endPhase(.upgrade, now: now)
        self.httpStatus = Int(head.status.code)
        switch self.configuration.verifier.verify(head) {
        case .rejected(let failure):
            self.state = .done
            return (self.fail(failure), false)
        case .accepted(let agreement):
            // The server has answered; only NIO's handler swap remains, bounded by the deadline. A loaded event loop
            // must not turn that local step into "the server did not answer the upgrade".
            self.agreement = agreement
            self.state = .upgrading
            return (.cancelTimer, true)
        }
    }

    /// NIO has installed the WebSocket frame handlers: the tunnel is open.
    mutating func upgradeCompleted(now: NIODeadline) -> Action {
        guard self.state == .upgrading else {
            return .none
        }
        self.phaseStart = now
        switch self.configuration.mode {
        case .connectOnly:
            self.verdict = .passed
            self.state = .closing
            return .sendClose(timer: self.configuration.timeouts.close)
        case .full:
            self.state = .awaitingPong
            return .sendPing(self.configuration.pingPayload, timer: self.configuration.timeouts.ping)
        }
    }

    /// NIO's upgrade future failed: a response that is not HTTP, or a 101 NIO refused after our verifier passed it.
    mutating func upgradeFailed(reason: String, now: NIODeadline) -> Action {
        switch self.state {
        case .awaitingResponse:
            self.state = .done
            return self.fail(.protocolViolation(phase: .upgrade, reason: "the answer is not valid HTTP (\(reason))"))
        case .upgrading:
            self.state = .done
            return self.fail(.protocolViolation(phase: .upgrade, reason: "the 101 could not be completed (\(reason))"))
        default:
            return .none
        }
    }

    // MARK: WebSocket

    mutating func frameReceived(_ frame: Frame, now: NIODeadline) -> Action {
        switch (self.state, frame) {
        case (.awaitingPong, .pong(let payload)):
            guard payload == self.configuration.pingPayload else {
                self.state = .done
                return self.fail(
                    .pongMismatch(expected: Self.hex(self.configuration.pingPayload), received: Self.hex(payload))
                )
            }
            self.endPhase(.ping, now: now)
            if let message = self.configuration.message {
                self.state = .awaitingReply
                return .sendText(message.text, timer: self.configuration.timeouts.message)
            }
            self.state = .closing
            return .sendClose(timer: self.configuration.timeouts.close)

        case (.awaitingReply, .text(let text)):
            guard let message = self.configuration.message, message.matches(text) else {
                self.state = .done
                return self.fail(
                    .messageMismatch(pattern: self.configuration.message?.expectedReply ?? "", received: text)
                )
            }
            self.endPhase(.message, now: now)
            self.state = .closing
            return .sendClose(timer: self.configuration.timeouts.close)

        case (.awaitingReply, .binary(let count)):
            self.state = .done
            return self.fail(
                .messageMismatch(
                    pattern: self.configuration.message?.expectedReply ?? "",
                    received: "<\(count) binary bytes>"
                )
            )

        case (.upgrading, .ping(let payload)), (.awaitingPong, .ping(let payload)),
            (.awaitingReply, .ping(let payload)):
            return .sendPong(payload)

        case (.closing, .close):
            self.endPhase(.close, now: now)
            if self.verdict == nil {
                self.verdict = .passed
            }
            self.state = .awaitingServerClose
            return .armTimer(.close, self.configuration.timeouts.close)

        case (.upgrading, .close(let code)), (.awaitingPong, .close(let code)), (.awaitingReply, .close(let code)):
            let phase = self.currentPhase ?? .upgrade
            self.state = .done
            return self.fail(
                .closedEarly(
                    phase: phase,
                    reason: "the server sent a close frame (code \(code.map(String.init) ?? "none")) first"
                )
            )

        default:
            // Unsolicited pongs (heartbeats), greetings before our message, frames while closing: all allowed.
            return .none
        }
    }

    // MARK: Errors, timers, closure

    mutating func errorCaught(_ error: ErrorKind, now: NIODeadline) -> Action {
        let phase: ProbePhase
        switch self.state {
        case .connecting, .done, .awaitingServerClose:
            // Connect errors arrive through `connectFailed`; after the verdict, errors are teardown noise.
            return .none
        default:
            phase = self.currentPhase ?? .upgrade
        }
        let failure: ProbeFailure
        switch (error, self.state) {
        case (.tls(let reason), _), (.io(let reason), .tlsHandshaking), (.malformed(let reason), .tlsHandshaking):
            failure = .tls(reason: reason)
        case (.io(let reason), .closing):
            failure = .close(reason: "the connection failed before the server's close frame (\(reason))")
        case (.io(let reason), _):
            failure = .closedEarly(phase: phase, reason: reason)
        case (.malformed(let reason), _):
            failure = .protocolViolation(phase: phase, reason: reason)
        }
        self.state = .done
        return self.fail(failure)
    }

    /// The phase timer fired. A timer of a phase that already ended is ignored.
    mutating func timerFired(_ phase: ProbePhase, now: NIODeadline) -> Action {
        guard phase == self.currentPhase else {
            return .none
        }
        let after = self.configuration.timeouts[phase]
        if self.state == .awaitingServerClose {
            // The close handshake is complete; the server just did not close TCP. Not a fault, close it ourselves.
            self.state = .done
            return .closeChannel
        }
        self.state = .done
        return self.fail(self.timeoutFailure(phase, after: after))
    }

    /// The whole-probe deadline fired: fail in the current phase and close.
    mutating func deadlineFired(now: NIODeadline) -> Action {
        guard let phase = self.currentPhase else {
            return .none
        }
        let state = self.state
        self.state = .done
        if state == .awaitingServerClose {
            return .closeChannel
        }
        return self.fail(self.timeoutFailure(phase, after: self.elapsed(now)))
    }

    /// The channel closed. Whatever was still expected did not come.
    mutating func channelClosed(now: NIODeadline) {
        let failure: ProbeFailure?
        switch self.state {
        case .connecting:
            // The connect future's failure carries the reason; it is reported through `connectFailed`.
            return
        case .tlsHandshaking:
            failure = .tls(reason: "the server closed the connection during the TLS handshake")
        case .awaitingResponse:
            failure = .closedEarly(
                phase: .upgrade,
                reason: "the server closed the connection without answering the upgrade"
            )
        case .upgrading:
            failure = .closedEarly(phase: .upgrade, reason: "the server closed the connection right after the 101")
        case .awaitingPong:
            failure = .closedEarly(phase: .ping, reason: "the server closed TCP without a close frame")
        case .awaitingReply:
            failure = .closedEarly(phase: .message, reason: "the server closed TCP without a close frame")
        case .closing:
            failure = .close(reason: "the server closed TCP without answering our close frame")
        case .awaitingServerClose, .done:
            failure = nil
        }
        self.state = .done
        if let failure {
            _ = self.fail(failure)
        }
    }

    /// The awaiting task was cancelled.
    mutating func cancelled() -> Action {
        guard self.state != .done else {
            return .none
        }
        self.state = .done
        return self.fail(.cancelled)
    }

    // MARK: Helpers

    private mutating func fail(_ failure: ProbeFailure) -> Action {
        if self.verdict == nil {
            self.verdict = .failed(failure)
        }
        return .closeChannel
    }

    private mutating func endPhase(_ phase: ProbePhase, now: NIODeadline) {
        self.timings[phase] = self.elapsed(now)
        self.phaseStart = now
    }

    private func elapsed(_ now: NIODeadline) -> Duration {
        .nanoseconds(max(0, (now - self.phaseStart).nanoseconds))
    }

    private func timeoutFailure(_ phase: ProbePhase, after: Duration) -> ProbeFailure {
        switch phase {
        case .connect: .connectTimeout(after: after)
        case .ping: .pingTimeout(after: after)
        case .close: .close(reason: "no close frame from the server within \(after.shortDescription)")
        default: .timeout(phase: phase, after: after)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "(empty)" : bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
