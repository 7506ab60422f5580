import NIOCore
import NIOHTTP1
import Testing

@testable import HawsProbe

/// The probe's protocol logic driven event by event, with a fake clock: no sockets, no sleeping.
@Suite("ProbeStateMachine")
struct ProbeStateMachineTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let payload: [UInt8] = Array(0..<16)
    static let timeouts = ProbeTimeouts(
        deadline: .seconds(5),
        connect: .seconds(1),
        tls: .milliseconds(1_100),
        upgrade: .milliseconds(1_200),
        ping: .milliseconds(1_300),
        message: .milliseconds(1_400),
        close: .milliseconds(1_500)
    )

    /// Milliseconds after the start, as the machine's clock.
    static func at(_ ms: Int64) -> NIODeadline {
        .uptimeNanoseconds(UInt64(1_000_000_000 + ms * 1_000_000))
    }

    static func machine(
        mode: ProbeOptions.Mode = .full,
        tls: Bool = false,
        subprotocols: [String] = [],
        message: ProbeMessage? = nil
    ) -> ProbeStateMachine {
        ProbeStateMachine(
            configuration: .init(
                mode: mode,
                tls: tls,
                timeouts: Self.timeouts,
                verifier: HandshakeVerifier(key: Self.key, offeredSubprotocols: subprotocols),
                pingPayload: Self.payload,
                message: message
            ),
            connectStart: Self.at(0)
        )
    }

    static func head(status: HTTPResponseStatus = .switchingProtocols, extra: [(String, String)] = [])
        -> HTTPResponseHead
    {
        var headers = HTTPHeaders([
            ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", WebSocketKey.acceptValue(forKey: Self.key)),
        ])
        headers.add(contentsOf: extra)
        return HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }

    /// Runs a plain probe up to the open tunnel (connected at 1 ms, 101 at 3 ms, upgraded at 4 ms).
    static func upgraded(mode: ProbeOptions.Mode = .full, message: ProbeMessage? = nil) -> (
        ProbeStateMachine, ProbeStateMachine.Action
    ) {
        var machine = Self.machine(mode: mode, message: message)
        #expect(machine.channelActive(now: Self.at(1)) == .armTimer(.upgrade, Self.timeouts.upgrade))
        let (action, forward) = machine.responseHead(Self.head(), now: Self.at(3))
        #expect(action == .cancelTimer && forward)
        let upgraded = machine.upgradeCompleted(now: Self.at(4))
        return (machine, upgraded)
    }

    @Test("full mode: connect, 101, ping/pong, close echo, then the server closes TCP; every phase timed")
    func fullHappyPath() {
        var (machine, action) = Self.upgraded()
        #expect(action == .sendPing(Self.payload, timer: Self.timeouts.ping))
        #expect(machine.frameReceived(.pong(Self.payload), now: Self.at(6)) == .sendClose(timer: Self.timeouts.close))
        #expect(machine.verdict == nil)
        #expect(machine.frameReceived(.close(code: 1000), now: Self.at(9)) == .armTimer(.close, Self.timeouts.close))
        #expect(machine.verdict == .passed)
        machine.channelClosed(now: Self.at(10))
        #expect(machine.verdict == .passed)
        #expect(machine.httpStatus == 101)
        #expect(machine.timings.connect == .milliseconds(1))
        #expect(machine.timings.tls == nil)
        #expect(machine.timings.upgrade == .milliseconds(2))
        #expect(machine.timings.ping == .milliseconds(2))
        #expect(machine.timings.close == .milliseconds(3))
    }

    @Test("TLS: the upgrade timer starts when the handshake ends, and the TLS phase is timed")
    func tlsPhase() {
        var machine = Self.machine(tls: true)
        #expect(machine.channelActive(now: Self.at(1)) == .armTimer(.tls, Self.timeouts.tls))
        #expect(machine.tlsHandshakeCompleted(now: Self.at(5)) == .armTimer(.upgrade, Self.timeouts.upgrade))
        #expect(machine.timings.tls == .milliseconds(4))
    }

    @Test("connect-only: passes at the upgrade, then still closes politely")
    func connectOnly() {
        var (machine, action) = Self.upgraded(mode: .connectOnly)
        #expect(action == .sendClose(timer: Self.timeouts.close))
        #expect(machine.verdict == .passed)
        // A server that never answers the close does not fail a connect-only probe.
        #expect(machine.timerFired(.close, now: Self.at(2_000)) == .closeChannel)
        #expect(machine.verdict == .passed)
    }

    @Test("the message round trip: the reply must match the pattern")
    func message() throws {
        let message = try ProbeMessage(text: "hello", expectedReply: "^hel+o$")
        var (machine, _) = Self.upgraded(message: message)
        #expect(
            machine.frameReceived(.pong(Self.payload), now: Self.at(5))
                == .sendText("hello", timer: Self.timeouts.message)
        )
        #expect(machine.frameReceived(.text("hello"), now: Self.at(8)) == .sendClose(timer: Self.timeouts.close))
        #expect(machine.timings.message == .milliseconds(3))

        var (wrong, _) = Self.upgraded(message: message)
        _ = wrong.frameReceived(.pong(Self.payload), now: Self.at(5))
        #expect(wrong.frameReceived(.text("goodbye"), now: Self.at(8)) == .closeChannel)
        #expect(wrong.verdict == .failed(.messageMismatch(pattern: "^hel+o$", received: "goodbye")))

        var binary = Self.upgraded(message: message).0
        _ = binary.frameReceived(.pong(Self.payload), now: Self.at(5))
        #expect(binary.frameReceived(.binary(count: 3), now: Self.at(8)) == .closeChannel)
        #expect(binary.verdict.failureCode == "message_mismatch")
    }

    @Test("a pong with another payload is pong_mismatch; an unsolicited pong elsewhere is ignored")
    func pongMismatch() {
        var (machine, _) = Self.upgraded()
        #expect(machine.frameReceived(.pong([1, 2, 3]), now: Self.at(5)) == .closeChannel)
        #expect(
            machine.verdict == .failed(.pongMismatch(expected: ProbeStateMachine.hex(Self.payload), received: "010203"))
        )

        var heartbeat = Self.upgraded(message: try! ProbeMessage(text: "a", expectedReply: "a")).0
        _ = heartbeat.frameReceived(.pong(Self.payload), now: Self.at(5))
        #expect(heartbeat.frameReceived(.pong([9]), now: Self.at(6)) == .none)
        #expect(heartbeat.verdict == nil)
    }

    @Test("server pings are answered with the same payload")
    func serverPing() {
        var (machine, _) = Self.upgraded()
        #expect(machine.frameReceived(.ping([7, 7]), now: Self.at(5)) == .sendPong([7, 7]))
    }

    @Test("timers: ping and upgrade timeouts fail their phase; a stale timer is ignored")
    func timers() {
        var (machine, _) = Self.upgraded()
        #expect(machine.timerFired(.upgrade, now: Self.at(1_300)) == .none)
        #expect(machine.timerFired(.ping, now: Self.at(1_400)) == .closeChannel)
        #expect(machine.verdict == .failed(.pingTimeout(after: Self.timeouts.ping)))

        var slow = Self.machine()
        _ = slow.channelActive(now: Self.at(1))
        #expect(slow.timerFired(.upgrade, now: Self.at(1_201)) == .closeChannel)
        #expect(slow.verdict == .failed(.timeout(phase: .upgrade, after: Self.timeouts.upgrade)))

        var closing = Self.upgraded().0
        _ = closing.frameReceived(.pong(Self.payload), now: Self.at(5))
        #expect(closing.timerFired(.close, now: Self.at(2_000)) == .closeChannel)
        #expect(closing.verdict.failureCode == "close")
    }

    @Test(
        "the deadline names the phase it interrupted",
        arguments: [
            ("connect", "connect_timeout"), ("tls", "timeout"), ("upgrade", "timeout"), ("ping", "ping_timeout"),
            ("message", "timeout"), ("close", "close"),
        ]
    )
    func deadline(phase: String, code: String) throws {
        let message = try ProbeMessage(text: "a", expectedReply: "a")
        var machine = Self.machine(tls: phase == "tls", message: message)
        switch phase {
        case "connect":
            break
        case "tls", "upgrade":
            _ = machine.channelActive(now: Self.at(1))
        default:
            machine = Self.upgraded(message: message).0
            if phase != "ping" { _ = machine.frameReceived(.pong(Self.payload), now: Self.at(5)) }
            if phase == "close" { _ = machine.frameReceived(.text("a"), now: Self.at(6)) }
        }
        #expect(machine.currentPhase?.rawValue == phase)
        #expect(machine.deadlineFired(now: Self.at(5_000)) == .closeChannel)
        #expect(machine.verdict.failureCode == code)
        #expect(machine.verdict.failure?.phase?.rawValue == phase)
    }

    @Test("connect failures map to their own classes; a close before the connect error waits for it")
    func connectFailures() {
        var refused = Self.machine()
        refused.channelClosed(now: Self.at(1))
        #expect(refused.verdict == nil)
        _ = refused.connectFailed(.refused(address: "127.0.0.1:9"), now: Self.at(1))
        #expect(refused.verdict == .failed(.connectRefused(address: "127.0.0.1:9")))

        var timedOut = Self.machine()
        _ = timedOut.connectFailed(.timedOut, now: Self.at(1_000))
        #expect(timedOut.verdict == .failed(.connectTimeout(after: .seconds(1))))

        var other = Self.machine()
        _ = other.connectFailed(.other("network is unreachable"), now: Self.at(1))
        #expect(other.verdict.failureCode == "connect_failed")
    }

    @Test("a rejected head is not forwarded to NIO and closes the channel")
    func rejectedHead() {
        var machine = Self.machine()
        _ = machine.channelActive(now: Self.at(1))
        let (action, forward) = machine.responseHead(Self.head(status: .forbidden), now: Self.at(2))
        #expect(action == .closeChannel && !forward)
        #expect(machine.verdict == .failed(.status(code: 403, reason: "Forbidden")))
        #expect(machine.httpStatus == 403)
        #expect(machine.timings.upgrade == .milliseconds(1))
    }

    @Test("the subprotocol the server picked is kept")
    func subprotocol() {
        var machine = Self.machine(subprotocols: ["chat"])
        _ = machine.channelActive(now: Self.at(1))
        _ = machine.responseHead(Self.head(extra: [("Sec-WebSocket-Protocol", "chat")]), now: Self.at(2))
        #expect(machine.agreement?.subprotocol == "chat")
    }

    @Test(
        "closures and errors in each state give their class",
        arguments: [
            ("tls", "closed", "tls"), ("upgrade", "closed", "closed_early"), ("ping", "closed", "closed_early"),
            ("ping", "serverClose", "closed_early"), ("close", "closed", "close"), ("upgrade", "reset", "closed_early"),
            ("ping", "malformed", "protocol"), ("tls", "tlsError", "tls"), ("close", "reset", "close"),
        ]
    )
    func closures(phase: String, event: String, code: String) {
        var machine = Self.machine(tls: phase == "tls")
        switch phase {
        case "tls", "upgrade":
            _ = machine.channelActive(now: Self.at(1))
        case "ping":
            machine = Self.upgraded().0
        default:
            machine = Self.upgraded().0
            _ = machine.frameReceived(.pong(Self.payload), now: Self.at(5))
        }
        switch event {
        case "closed": machine.channelClosed(now: Self.at(9))
        case "serverClose": _ = machine.frameReceived(.close(code: 1001), now: Self.at(9))
        case "reset": _ = machine.errorCaught(.io("connection reset by peer"), now: Self.at(9))
        case "malformed": _ = machine.errorCaught(.malformed("bad frame"), now: Self.at(9))
        default: _ = machine.errorCaught(.tls("certificate verify failed"), now: Self.at(9))
        }
        #expect(machine.verdict.failureCode == code)
    }

    @Test("the first verdict wins: later errors, timers and closes change nothing")
    func firstVerdictWins() {
        var machine = Self.upgraded().0
        _ = machine.frameReceived(.pong([0]), now: Self.at(5))
        let verdict = machine.verdict
        #expect(machine.errorCaught(.io("reset"), now: Self.at(6)) == .none)
        #expect(machine.deadlineFired(now: Self.at(7)) == .none)
        machine.channelClosed(now: Self.at(8))
        #expect(machine.cancelled() == .none)
        #expect(machine.verdict == verdict)
    }

    @Test("cancellation fails an unfinished probe")
    func cancellation() {
        var machine = Self.machine()
        _ = machine.channelActive(now: Self.at(1))
        #expect(machine.cancelled() == .closeChannel)
        #expect(machine.verdict == .failed(.cancelled))
    }

    @Test("NIO refusing the upgrade after our verifier, or a non-HTTP answer, is a protocol failure")
    func upgradeFailed() {
        var garbage = Self.machine()
        _ = garbage.channelActive(now: Self.at(1))
        #expect(garbage.upgradeFailed(reason: "invalid HTTP", now: Self.at(2)) == .closeChannel)
        #expect(garbage.verdict.failureCode == "protocol")
    }
}

extension Optional where Wrapped == ProbeStateMachine.Verdict {
    var failure: ProbeFailure? {
        if case .failed(let failure)? = self {
            return failure
        }
        return nil
    }

    var failureCode: String? { self.failure?.code }
}
