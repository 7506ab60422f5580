import FuzzDriver
import NIOCore
@testable import HawsProbe

/// The WebSocket frames a server sends the probe: read all at once, and again one byte per read; both must
/// give the same frames, each read must consume bytes or ask for more, and nothing may exceed the limit.
///
/// The first input byte sets the message size limit (0 to 255 bytes, so that the limits are reached); the
/// rest is the server's bytes after the handshake.
@main
enum WebSocketFramesFuzzer {
    static func main() { runLibFuzzer(webSocketFramesFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func webSocketFramesFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let limit = Int(data[0])
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)

    var whole = ByteBuffer(bytes: bytes)
    let atOnce = frames(from: &whole, limit: limit)

    var reader = ProbeFrameReader(maxMessageSize: limit)
    var trickle = ByteBuffer()
    var byteByByte: [ProbeFrameReader.Outcome] = []
    reading: for byte in bytes {
        trickle.writeInteger(byte)
        while true {
            let outcome = step(&reader, &trickle, limit: limit)
            if outcome == .incomplete { break }
            byteByByte.append(outcome)
            if case .malformed = outcome { break reading }
        }
    }
    precondition(atOnce == byteByByte, "frames read at once and byte by byte differ")
    return 0
}

/// Every outcome until more bytes are needed or the stream is malformed.
private func frames(from buffer: inout ByteBuffer, limit: Int) -> [ProbeFrameReader.Outcome] {
    var reader = ProbeFrameReader(maxMessageSize: limit)
    var outcomes: [ProbeFrameReader.Outcome] = []
    while true {
        let outcome = step(&reader, &buffer, limit: limit)
        if outcome == .incomplete { return outcomes }
        outcomes.append(outcome)
        if case .malformed = outcome { return outcomes }
    }
}

/// One read, with the checks every read must pass.
private func step(_ reader: inout ProbeFrameReader, _ buffer: inout ByteBuffer, limit: Int) -> ProbeFrameReader.Outcome {
    let before = buffer.readerIndex
    let outcome = reader.next(&buffer)
    switch outcome {
    case .frame(let frame):
        precondition(buffer.readerIndex > before, "a frame without consuming bytes")
        switch frame {
        case .text(let text): precondition(text.utf8.count <= limit * 3 + 3, "a text message above the limit")
        case .binary(let count): precondition(count <= limit, "a binary message above the limit")
        case .ping(let payload), .pong(let payload): precondition(payload.count <= 125)
        default: break
        }
    case .skipped:
        precondition(buffer.readerIndex > before, "a skipped frame without consuming bytes")
    case .incomplete, .malformed:
        break
    }
    return outcome
}
