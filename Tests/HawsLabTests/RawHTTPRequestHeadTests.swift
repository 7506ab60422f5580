import Testing

@testable import HawsLab

@Suite("Raw HTTP request head parsing")
struct RawHTTPRequestHeadTests {
    @Test("an incomplete head asks for more bytes")
    func incomplete() {
        #expect(RawHTTPRequestHead.parse(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)) == .incomplete)
    }

    @Test("an upgrade request is recognised, with headers case-insensitive")
    func upgrade() throws {
        let text = "GET /chat HTTP/1.1\r\nhost: a\r\nUPGRADE: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
            + "Sec-WebSocket-Key: abc\r\n\r\nrest"
        guard case .complete(let head, let consumed) = RawHTTPRequestHead.parse(Array(text.utf8)) else {
            Issue.record("not parsed")
            return
        }
        #expect(head.method == "GET")
        #expect(head.target == "/chat")
        #expect(head.isWebSocketUpgrade)
        #expect(head.header("sec-websocket-key") == "abc")
        #expect(consumed == text.utf8.count - 4)
    }

    @Test("a health check is not an upgrade")
    func healthCheck() {
        let text = "GET /health HTTP/1.0\r\nConnection: close\r\n\r\n"
        guard case .complete(let head, _) = RawHTTPRequestHead.parse(Array(text.utf8)) else {
            Issue.record("not parsed")
            return
        }
        #expect(!head.isWebSocketUpgrade)
        #expect(head.version == "HTTP/1.0")
    }

    @Test("garbage and oversized heads are invalid")
    func invalid() {
        #expect(RawHTTPRequestHead.parse(Array("hello\r\n\r\n".utf8)) == .invalid)
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: RawHTTPRequestHead.maximumHeadSize + 1)
        #expect(RawHTTPRequestHead.parse(huge) == .invalid)
    }
}
