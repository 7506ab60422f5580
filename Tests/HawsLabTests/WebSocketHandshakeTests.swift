import Testing

@testable import HawsLab

@Suite("RFC 6455 handshake arithmetic")
struct WebSocketHandshakeTests {
    @Test("the accept value matches RFC 6455's own example")
    func rfcExample() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("the wrong accept value is well-formed but differs")
    func wrongAcceptDiffers() {
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        let wrong = WebSocketHandshake.wrongAcceptValue(forKey: key)
        #expect(wrong != WebSocketHandshake.acceptValue(forKey: key))
        #expect(wrong.count == 28)
        #expect(wrong.hasSuffix("="))
    }
}
