import HawsCore
import Testing

@testable import HawsProbe

@Suite("WebSocketKey and SHA-1")
struct WebSocketKeyTests {
    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test("SHA-1 matches the FIPS 180 test vectors, across block boundaries")
    func sha1Vectors() {
        #expect(self.hex(SHA1.hash(Array("".utf8))) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(self.hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            self.hex(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        )
        #expect(
            self.hex(SHA1.hash([UInt8](repeating: 0x61, count: 1_000))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba"
        )
    }

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

    @Test("base64 pads like RFC 4648")
    func base64() {
        #expect(WebSocketKey.base64(Array("f".utf8)) == "Zg==")
        #expect(WebSocketKey.base64(Array("fo".utf8)) == "Zm8=")
        #expect(WebSocketKey.base64(Array("foo".utf8)) == "Zm9v")
        #expect(WebSocketKey.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }
}
