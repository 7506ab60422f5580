import NIOCore
import NIOHTTP1
import Testing

@testable import HawsProbe

/// The bytes of the handshake without sockets: the request as written, the response head as parsed, and frames
/// both ways.
@Suite("probe wire format: request, response head, frames")
struct ProbeWireTests {
    static func buffer(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text)
    }

    @Test("the request is the head plus the four upgrade headers, in one piece")
    func request() {
        var target = ProbeTarget(host: "127.0.0.1", port: 8080, path: "/chat?x=1")
        target.subprotocols = ["chat"]
        var buffer = ByteBuffer()
        HandshakeRequest.write(for: target, key: "dGhlIHNhbXBsZSBub25jZQ==", into: &buffer)
        #expect(
            String(buffer: buffer)
                == "GET /chat?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: haws-probe\r\n"
                + "Sec-WebSocket-Protocol: chat\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
    }

    @Test("a 101 head is parsed and consumed; the frame bytes after it stay in the buffer")
    func switchingProtocols() throws {
        var buffer = Self.buffer(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection:  Upgrade \r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        )
        buffer.writeBytes([0x8A, 0])
        guard case .head(let head) = ResponseHeadParser.parse(&buffer) else {
            Issue.record("no head")
            return
        }
        #expect(head.status == .switchingProtocols && head.version == .http1_1)
        #expect(head.headers["Connection"] == ["Upgrade"])
        #expect(head.headers["sec-websocket-accept"] == ["s3pPLMBiTxaQ9kYGzzhZRbK+xOo="])
        #expect(buffer.readableBytes == 2)
        let verdict = HandshakeVerifier(key: "dGhlIHNhbXBsZSBub25jZQ==").verify(head)
        #expect(verdict == .accepted(HandshakeAgreement()))
    }

    @Test("a head in pieces is incomplete until its blank line; bare LF line ends are accepted")
    func incomplete() {
        var buffer = Self.buffer("HTTP/1.1 503 Service Unavailable\nContent-Length: 5\n")
        #expect(ResponseHeadParser.parse(&buffer) == .incomplete)
        buffer.writeString("\nbusy\n")
        guard case .head(let head) = ResponseHeadParser.parse(&buffer) else {
            Issue.record("no head")
            return
        }
        #expect(head.status.code == 503 && head.status.reasonPhrase == "Service Unavailable")
        #expect(buffer.readableBytes == 5)
        var partial = Self.buffer("HTT")
        #expect(ResponseHeadParser.parse(&partial) == .incomplete)
    }

    @Test("not HTTP is malformed at the first bytes, without waiting for a blank line")
    func malformed() {
        var ssh = Self.buffer("SSH-2.0-OpenSSH_9.2\r\n")
        #expect(
            ResponseHeadParser.parse(&ssh) == .malformed("expected an HTTP/1.x status line, got 'SSH-2.0-OpenSSH_9.2'")
        )
        var badStatus = Self.buffer("HTTP/1.1 1O1 Switching\r\n\r\n")
        guard case .malformed = ResponseHeadParser.parse(&badStatus) else {
            Issue.record("accepted a status of letters")
            return
        }
        var badHeader = Self.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade websocket\r\n\r\n")
        guard case .malformed = ResponseHeadParser.parse(&badHeader) else {
            Issue.record("accepted a header line without a colon")
            return
        }
        // Found by fuzz-response-head: a byte above 0x7F in a header name trapped in HTTPHeaders.add.
        var nonASCIIName = ByteBuffer(bytes: Array("HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nCon".utf8) + [0xCB]
            + Array("ection: upgrade\n\n".utf8))
        #expect(ResponseHeadParser.parse(&nonASCIIName) == .malformed("not a header line: 'Con\u{FFFD}ection: upgrade'"))
        var separator = Self.buffer("HTTP/1.1 101 Switching Protocols\r\nUp(grade): websocket\r\n\r\n")
        guard case .malformed = ResponseHeadParser.parse(&separator) else {
            Issue.record("accepted a header name that is not a token")
            return
        }
        var huge = Self.buffer("HTTP/1.1 101 OK\r\nX: " + String(repeating: "a", count: ResponseHeadParser.maxHeadSize))
        guard case .malformed = ResponseHeadParser.parse(&huge) else {
            Issue.record("buffered a head without end")
            return
        }
    }

    @Test("frames written by the probe are masked and read back by the reader")
    func roundTrip() {
        var buffer = ByteBuffer()
        let payload = Array("haws-bench-ping!".utf8)
        ProbeFrameWriter.write(opcode: ProbeFrameWriter.ping, payload: payload, mask: 0x0102_0304, into: &buffer)
        #expect(buffer.getBytes(at: 0, length: 6) == [0x89, 0x80 | 16, 1, 2, 3, 4])
        #expect(buffer.getInteger(at: 6, as: UInt8.self) == payload[0] ^ 1)
        var reader = ProbeFrameReader(maxMessageSize: 1 << 20)
        #expect(reader.next(&buffer) == .frame(.ping(payload)))
        #expect(reader.next(&buffer) == .incomplete)

        let long = [UInt8](repeating: 7, count: 300)
        ProbeFrameWriter.write(opcode: ProbeFrameWriter.text, payload: long, mask: 0xA0B0_C0D0, into: &buffer)
        let lengthByte = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        #expect(lengthByte == UInt8(0xFE))  // masked, 16-bit length
        let text = String(repeating: "\u{7}", count: 300)
        let matches = reader.next(&buffer) == .frame(.text(text))
        #expect(matches)
    }

    @Test("server frames: pong, close code, fragments reassembled around a ping, partial frames wait")
    func serverFrames() {
        var reader = ProbeFrameReader(maxMessageSize: 1 << 20)
        var buffer = ByteBuffer(bytes: [0x8A, 2, 0xAB, 0xCD, 0x88, 2, 0x03, 0xE8, 0x88, 0])
        #expect(reader.next(&buffer) == .frame(.pong([0xAB, 0xCD])))
        #expect(reader.next(&buffer) == .frame(.close(code: 1000)))
        #expect(reader.next(&buffer) == .frame(.close(code: nil)))

        buffer = ByteBuffer(bytes: [0x01, 2, 0x68, 0x69, 0x89, 0, 0x80, 1, 0x21, 0x81])
        #expect(reader.next(&buffer) == .skipped)
        #expect(reader.next(&buffer) == .frame(.ping([])))
        #expect(reader.next(&buffer) == .frame(.text("hi!")))
        #expect(reader.next(&buffer) == .incomplete)
        buffer.writeBytes([1, 0x78])
        #expect(reader.next(&buffer) == .frame(.text("x")))
    }

    @Test("protocol errors: long or fragmented control frames, stray continuations, oversized frames")
    func protocolErrors() {
        func read(_ bytes: [UInt8], max: Int = 1 << 20) -> ProbeFrameReader.Outcome {
            var reader = ProbeFrameReader(maxMessageSize: max)
            var buffer = ByteBuffer(bytes: bytes)
            return reader.next(&buffer)
        }
        #expect(read([0x89, 126, 0, 200]) == .malformed("a control frame of 200 bytes (at most 125)"))
        #expect(read([0x09, 0]) == .malformed("a fragmented control frame (opcode 9)"))
        #expect(read([0x80, 0]) == .malformed("a continuation frame outside a fragmented message"))
        #expect(
            read([0x82, 126, 0x01, 0x00], max: 100) == .malformed("a frame of 256 bytes, more than the 100 accepted")
        )
    }
}
