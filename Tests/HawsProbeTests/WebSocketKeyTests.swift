import Testing

@testable import HawsProbe

@Suite("WebSocketKey")
struct WebSocketKeyTests {
    @Test("RFC 6455 section 1.3: dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    func rfcAccept() {
        #expect(WebSocketKey.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test("random keys are 16 bytes in base64 (24 characters, '==' padded) and differ every time")
    func randomKeys() {
        let keys = (0..<1_000).map { _ in WebSocketKey.random() }
        #expect(keys.allSatisfy { $0.count == 24 && $0.hasSuffix("==") })
        #expect(Set(keys).count == keys.count)
    }
}
