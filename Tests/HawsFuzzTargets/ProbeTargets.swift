import NIOCore
import HawsProbe

extension FuzzTarget {
    /// The probe's reading of the answer to its upgrade request: the response head, read from bytes as they
    /// arrive, then judged by the handshake verifier.
    ///
    /// The first input byte picks where the answer is cut in two (as two reads); the parse of the whole answer
    /// and the parse resumed after the cut must agree.
    public static let responseHead = FuzzTarget(name: "response-head") { (input) throws(FuzzViolation) in
        guard input.count >= 1 else { return }
        let answer = UnsafeBufferPointer(rebasing: input[1...])
        let cut = answer.isEmpty ? 0 : Int(input[0]) % (answer.count + 1)

        var whole = ByteBuffer(bytes: answer)
        let outcome = ResponseHeadParser.parse(&whole)
        switch outcome {
        case .head(let head):
            try require(whole.readerIndex <= answer.count, "a head read past the answer")
            _ = handshakeVerifier.verify(head)
        case .incomplete:
            try require(whole.readerIndex == 0, "bytes consumed by an incomplete head")
        case .malformed(let reason):
            try require(!reason.isEmpty, "a malformed head without a reason")
        }

        var split = ByteBuffer(bytes: UnsafeBufferPointer(rebasing: answer[..<cut]))
        var first = ResponseHeadParser.parse(&split)
        if first == .incomplete {
            split.writeBytes(UnsafeBufferPointer(rebasing: answer[cut...]))
            first = ResponseHeadParser.parse(&split)
        }
        if case .head = outcome {
            try require(
                first == outcome && split.readerIndex == whole.readerIndex, "a head parsed differently when cut")
        }
    }

    /// The WebSocket frames a server sends the probe: read all at once, and again one byte per read; both must
    /// give the same frames, each read must consume bytes or ask for more, and nothing may exceed the limit.
    ///
    /// The first input byte sets the message size limit (0 to 255 bytes, so that the limits are reached); the
    /// rest is the server's bytes after the handshake.
    public static let webSocketFrames = FuzzTarget(name: "ws-frames") { (input) throws(FuzzViolation) in
        guard input.count >= 1 else { return }
        let limit = Int(input[0])
        let bytes = UnsafeBufferPointer(rebasing: input[1...])

        var whole = ByteBuffer(bytes: bytes)
        let atOnce = try frames(from: &whole, limit: limit)

        var reader = ProbeFrameReader(maxMessageSize: limit)
        var trickle = ByteBuffer()
        var byteByByte: [ProbeFrameReader.Outcome] = []
        reading: for byte in bytes {
            trickle.writeInteger(byte)
            while true {
                let outcome = try step(&reader, &trickle, limit: limit)
                if outcome == .incomplete { break }
                byteByByte.append(outcome)
                if case .malformed = outcome { break reading }
            }
        }
        try require(atOnce == byteByByte, "frames read at once and byte by byte differ")
    }
}

private let handshakeVerifier = HandshakeVerifier(
    key: "dGhlIHNhbXBsZSBub25jZQ==", offeredSubprotocols: ["chat.v1"], offeredExtensions: ["permessage-deflate"])

/// Every outcome until more bytes are needed or the stream is malformed.
private func frames(from buffer: inout ByteBuffer, limit: Int) throws(FuzzViolation) -> [ProbeFrameReader.Outcome] {
    var reader = ProbeFrameReader(maxMessageSize: limit)
    var outcomes: [ProbeFrameReader.Outcome] = []
    while true {
        let outcome = try step(&reader, &buffer, limit: limit)
        if outcome == .incomplete { return outcomes }
        outcomes.append(outcome)
        if case .malformed = outcome { return outcomes }
    }
}

/// One read, with the checks every read must pass.
private func step(
    _ reader: inout ProbeFrameReader, _ buffer: inout ByteBuffer, limit: Int
) throws(FuzzViolation) -> ProbeFrameReader.Outcome {
    let before = buffer.readerIndex
    let outcome = reader.next(&buffer)
    switch outcome {
    case .frame(let frame):
        try require(buffer.readerIndex > before, "a frame without consuming bytes")
        switch frame {
        case .text(let text): try require(text.utf8.count <= limit * 3 + 3, "a text message above the limit")
        case .binary(let count): try require(count <= limit, "a binary message above the limit")
        case .ping(let payload), .pong(let payload): try require(payload.count <= 125, "a control frame above 125 bytes")
        default: break
        }
    case .skipped:
        try require(buffer.readerIndex > before, "a skipped frame without consuming bytes")
    case .incomplete, .malformed:
        break
    }
    return outcome
}
