import HawsCore
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

    @Test("SHA-1 matches the FIPS 180 test vectors")
    func sha1Vectors() {
        func hex(_ bytes: [UInt8]) -> String {
            bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
                .joined()
        }
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(hex(SHA1.hash(Array(long.utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test(
        "base64 pads like RFC 4648",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
    )
    func base64(input: String, expected: String) {
        #expect(WebSocketHandshake.base64(Array(input.utf8)) == expected)
    }
}
