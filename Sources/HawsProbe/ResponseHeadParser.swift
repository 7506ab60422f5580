import HawsCore
import NIOCore
import NIOHTTP1

/// Reads the head of the server's answer to the upgrade request straight from the bytes.
///
/// The probe needs only the status line and the headers of one response, never a body: NIO's HTTP decoder and
/// upgrade handlers (installed, then swapped for WebSocket ones on every probe) cost more than the whole handshake
/// they parse. The head's framing and field lines follow ``HTTPHead`` (shared with the lab's request reader); the
/// status line is read here. The result is the same `HTTPResponseHead` NIO's decoder would give (a known status code carries its
/// standard reason phrase), so ``HandshakeVerifier`` judges it unchanged. Pure, so every malformed answer is tested
/// without sockets.
package enum ResponseHeadParser {
    /// A larger head is not an answer to a WebSocket upgrade (NIO's decoder stops at 80 KiB).
    static let maxHeadSize = 64 * 1024

    package enum Outcome: Equatable {
        /// The head is not complete yet: read more.
        case incomplete
        /// The head, consumed from the buffer; what follows it (WebSocket frames) is left in the buffer.
        case head(HTTPResponseHead)
        case malformed(String)
    }

    private static let prefix: [UInt8] = Array("HTTP/1.".utf8)

    package static func parse(_ buffer: inout ByteBuffer) -> Outcome {
        let outcome: (Outcome, consumed: Int) = buffer.withUnsafeReadableBytes { bytes in
            // Fail at the first bytes that cannot start a status line (an SSH banner, TLS bytes on a ws:// port)
            // rather than wait for a blank line that may never come.
            for (index, expected) in Self.prefix.enumerated() where index < bytes.count && bytes[index] != expected {
                return (.malformed("expected an HTTP/1.x status line, got \(Self.excerpt(bytes))"), 0)
            }
            guard let end = HTTPHead.end(of: bytes) else {
                if bytes.count > Self.maxHeadSize {
                    return (.malformed("no end of the response head within \(Self.maxHeadSize) bytes"), 0)
                }
                return (.incomplete, 0)
            }
            return (Self.head(UnsafeRawBufferPointer(rebasing: bytes[..<end])), end)
        }
        buffer.moveReaderIndex(forwardBy: outcome.consumed)
        return outcome.0
    }

    /// Parses a complete head (its final blank line included).
    private static func head(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var lines = HTTPHead.Lines(bytes)
        guard let statusLine = lines.next() else {
            return .malformed("an empty response")
        }
        // "HTTP/1.1 101 Switching Protocols": version, a space, three digits, then an optional reason.
        guard statusLine.count >= 12, let minor = Self.digit(statusLine[7]), statusLine[8] == UInt8(ascii: " "),
            let d1 = Self.digit(statusLine[9]), let d2 = Self.digit(statusLine[10]),
            let d3 = Self.digit(statusLine[11]),
            statusLine.count == 12 || statusLine[12] == UInt8(ascii: " ")
        else {
            return .malformed("not an HTTP/1.x status line: \(Self.excerpt(statusLine))")
        }
        let code = d1 * 100 + d2 * 10 + d3
        let reason = statusLine.count > 13 ? String(decoding: statusLine[13...], as: UTF8.self) : ""

        var headers = HTTPHeaders()
        while let line = lines.next(), !line.isEmpty {
            // A field name is an RFC 9110 token; anything else (a space, a byte above 0x7F) is no header, and
            // `HTTPHeaders` traps on a name that is not ASCII (found by the fuzz target fuzz-response-head).
            guard let field = HTTPHead.field(line) else {
                return .malformed("not a header line: \(Self.excerpt(line))")
            }
            headers.add(name: field.name, value: field.value)
        }
        return .head(
            HTTPResponseHead(
                version: HTTPVersion(major: 1, minor: minor),
                status: HTTPResponseStatus(statusCode: code, reasonPhrase: reason),
                headers: headers
            )
        )
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// The first line, at most 60 bytes, quoted, for an operator to recognise what answered.
    private static func excerpt<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let line = bytes.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let text = String(decoding: line.prefix(60), as: UTF8.self)
        return "'\(text)\(line.count > 60 ? "..." : "")'"
    }
}
