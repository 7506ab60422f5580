import HawsLab
import NIOHTTP1
import Testing

@testable import HawsProbe

/// Every verdict of the pure verifier, from crafted response heads.
@Suite("HandshakeVerifier")
struct HandshakeVerifierTests {
    /// RFC 6455 section 1.3's example key and accept.
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    let verifier = HandshakeVerifier(
        key: Self.key,
        offeredSubprotocols: ["chat", "superchat"],
        offeredExtensions: ["permessage-deflate; client_max_window_bits"]
    )

    /// A correct 101 with optional changes.
    func headers(
        upgrade: String? = "websocket",
        connection: String? = "Upgrade",
        accept: [String] = [Self.accept],
        extra: [(String, String)] = []
    ) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let upgrade { headers.add(name: "Upgrade", value: upgrade) }
        if let connection { headers.add(name: "Connection", value: connection) }
        for value in accept { headers.add(name: "Sec-WebSocket-Accept", value: value) }
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    @Test("the RFC 6455 example key gives the RFC's accept value, as the lab computes it too")
    func rfcExample() {
        #expect(self.verifier.expectedAccept == Self.accept)
        #expect(WebSocketKey.acceptValue(forKey: Self.key) == WebSocketHandshake.acceptValue(forKey: Self.key))
    }

    @Test("a correct 101 is accepted, with no subprotocol or extension")
    func accepted() {
        #expect(self.verifier.verify(status: 101, headers: self.headers()) == .accepted(HandshakeAgreement()))
    }

    @Test("header names and the Upgrade/Connection tokens are case-insensitive; lists and spaces are fine")
    func caseAndLists() {
        var headers = HTTPHeaders()
        headers.add(name: "upgrade", value: "WebSocket")
        headers.add(name: "CONNECTION", value: "keep-alive, UPGRADE")
        headers.add(name: "sec-websocket-accept", value: "  \(Self.accept) ")
        #expect(self.verifier.verify(status: 101, headers: headers) == .accepted(HandshakeAgreement()))
    }

    @Test(
        "a status other than 101 reports the real code and reason",
        arguments: [
            (200, "OK"), (400, "Bad Request"), (403, "Forbidden"), (404, "Not Found"), (426, "Upgrade Required"),
            (502, "Bad Gateway"), (503, "Service Unavailable"),
        ]
    )
    func status(code: Int, reason: String) {
        let verdict = self.verifier.verify(status: code, reason: reason, headers: self.headers())
        #expect(verdict == .rejected(.status(code: code, reason: reason)))
        #expect(verdict.failure?.code == "status")
        #expect(verdict.failure?.description.contains("HTTP \(code) \(reason)") == true)
    }

    @Test("missing or wrong Upgrade header")
    func missingUpgrade() {
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(upgrade: nil))
                == .rejected(.missingUpgrade(received: nil))
        )
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(upgrade: "h2c"))
                == .rejected(.missingUpgrade(received: "h2c"))
        )
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(upgrade: "")).failure?.code == "missing_upgrade"
        )
    }

    @Test("missing Connection header or no upgrade token in it")
    func missingConnection() {
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(connection: nil))
                == .rejected(.missingConnection(received: nil))
        )
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(connection: "keep-alive"))
                == .rejected(.missingConnection(received: "keep-alive"))
        )
        // A token that merely contains "upgrade" is not the token.
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(connection: "upgraded")).failure?.code
                == "missing_connection"
        )
    }

    @Test("wrong, missing or repeated Sec-WebSocket-Accept")
    func badAccept() {
        let wrong = WebSocketHandshake.wrongAcceptValue(forKey: Self.key)
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(accept: [wrong]))
                == .rejected(.badAccept(expected: Self.accept, received: wrong))
        )
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(accept: []))
                == .rejected(.badAccept(expected: Self.accept, received: nil))
        )
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(accept: [Self.accept, Self.accept]))
                == .rejected(.badAccept(expected: Self.accept, received: "\(Self.accept), \(Self.accept)"))
        )
        // The accept of another key (a replayed 101) is wrong too.
        let other = HandshakeVerifier(key: WebSocketKey.random())
        #expect(other.verify(status: 101, headers: self.headers()).failure?.code == "bad_accept")
    }

    @Test("a subprotocol we offered is accepted and reported")
    func offeredSubprotocol() {
        let verdict = self.verifier.verify(
            status: 101,
            headers: self.headers(extra: [("Sec-WebSocket-Protocol", "superchat")])
        )
        #expect(verdict == .accepted(HandshakeAgreement(subprotocol: "superchat")))
    }

    @Test("a subprotocol we did not offer, several of them, or one when we offered none")
    func badSubprotocol() {
        #expect(
            self.verifier.verify(status: 101, headers: self.headers(extra: [("Sec-WebSocket-Protocol", "mqtt")]))
                == .rejected(.badSubprotocol(received: "mqtt", offered: ["chat", "superchat"]))
        )
        #expect(
            self.verifier.verify(
                status: 101,
                headers: self.headers(extra: [("Sec-WebSocket-Protocol", "chat, superchat")])
            )
                == .rejected(.badSubprotocol(received: "chat, superchat", offered: ["chat", "superchat"]))
        )
        let none = HandshakeVerifier(key: Self.key)
        #expect(
            none.verify(status: 101, headers: self.headers(extra: [("Sec-WebSocket-Protocol", "chat")]))
                == .rejected(.badSubprotocol(received: "chat", offered: []))
        )
    }

    @Test("an extension we offered is accepted (parameters may differ); one we did not is rejected")
    func extensions() {
        let offered = self.verifier.verify(
            status: 101,
            headers: self.headers(extra: [
                ("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover")
            ])
        )
        #expect(
            offered == .accepted(HandshakeAgreement(extensions: ["permessage-deflate; server_no_context_takeover"]))
        )

        let unasked = self.verifier.verify(
            status: 101,
            headers: self.headers(extra: [("Sec-WebSocket-Extensions", "x-webkit-deflate-frame")])
        )
        #expect(
            unasked
                == .rejected(
                    .badExtension(received: "x-webkit-deflate-frame", offered: self.verifier.offeredExtensions)
                )
        )
        let none = HandshakeVerifier(key: Self.key)
        #expect(
            none.verify(status: 101, headers: self.headers(extra: [("Sec-WebSocket-Extensions", "permessage-deflate")]))
                .failure?.code == "bad_extension"
        )
    }

    @Test("checks run in RFC order: the first fault is the one reported")
    func order() {
        let everythingWrong = HTTPHeaders([("Sec-WebSocket-Protocol", "mqtt"), ("Sec-WebSocket-Extensions", "x")])
        #expect(self.verifier.verify(status: 400, headers: everythingWrong).failure?.code == "status")
        #expect(self.verifier.verify(status: 101, headers: everythingWrong).failure?.code == "missing_upgrade")
        #expect(
            self.verifier.verify(
                status: 101,
                headers: self.headers(accept: ["x"], extra: [("Sec-WebSocket-Protocol", "mqtt")])
            )
            .failure?.code == "bad_accept"
        )
        #expect(
            self.verifier.verify(
                status: 101,
                headers: self.headers(extra: [("Sec-WebSocket-Protocol", "mqtt"), ("Sec-WebSocket-Extensions", "x")])
            ).failure?.code == "bad_extension"
        )
    }

    @Test("verify(head) reads status, reason and headers from NIO's response head")
    func fromHead() {
        let head = HTTPResponseHead(version: .http1_1, status: .badGateway, headers: self.headers())
        #expect(self.verifier.verify(head) == .rejected(.status(code: 502, reason: "Bad Gateway")))
    }
}

extension HandshakeVerdict {
    var failure: ProbeFailure? {
        if case .rejected(let failure) = self {
            return failure
        }
        return nil
    }
}
