import NIOCore

/// Reads the server's WebSocket frames (RFC 6455 section 5) from bytes, reduced to what the probe checks.
///
/// A probe exchanges three or four small frames, so it reads them itself rather than installing NIO's frame
/// decoder, encoder and aggregator on every connection. The rules are those of NIO's decoder and aggregator as the
/// probe used them: control frames are final and at most 125 bytes, no frame or reassembled message above
/// `maxMessageSize`, at most 64 fragments, a continuation only inside a fragmented message. Payloads are unmasked
/// if a (non-conforming) server masks them. Pure: tests feed it bytes.
package struct ProbeFrameReader {
    package enum Outcome: Equatable {
        /// A complete frame or reassembled message, consumed from the buffer.
        case frame(ProbeStateMachine.Frame)
        /// A frame the probe does not look at (an unknown opcode, a non-final fragment) was consumed.
        case skipped
        /// Read more.
        case incomplete
        case malformed(String)
    }

    static let maxFragments = 64

    let maxMessageSize: Int
    /// The opcode, bytes and frame count of a fragmented message being reassembled.
    private var fragments: (opcode: UInt8, payload: [UInt8], count: Int)?

    package init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    package mutating func next(_ buffer: inout ByteBuffer) -> Outcome {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self),
            let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else {
            return .incomplete
        }
        let fin = first & 0x80 != 0
        let opcode = first & 0x0F
        var offset = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else {
                return .incomplete
            }
            length = Int(extended)
            offset = 4
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else {
                return .incomplete
            }
            guard extended <= UInt64(self.maxMessageSize) else {
                return .malformed("a frame of \(extended) bytes, more than the \(self.maxMessageSize) accepted")
            }
            length = Int(extended)
            offset = 10
        }
        if opcode & 0x08 != 0 {
            guard fin else {
                return .malformed("a fragmented control frame (opcode \(opcode))")
            }
            guard length <= 125 else {
                return .malformed("a control frame of \(length) bytes (at most 125)")
            }
        }
        guard length <= self.maxMessageSize else {
            return .malformed("a frame of \(length) bytes, more than the \(self.maxMessageSize) accepted")
        }
        var mask: UInt32?
        if second & 0x80 != 0 {
            guard let key = buffer.getInteger(at: start + offset, as: UInt32.self) else {
                return .incomplete
            }
            mask = key
            offset += 4
        }
        guard buffer.readableBytes >= offset + length else {
            return .incomplete
        }
        buffer.moveReaderIndex(forwardBy: offset)
        var payload = buffer.readBytes(length: length) ?? []
        if let mask {
            for index in payload.indices {
                payload[index] ^= UInt8(truncatingIfNeeded: mask >> (24 - 8 * UInt32(index & 3)))
            }
        }
        return self.message(fin: fin, opcode: opcode, payload: payload)
    }

    private mutating func message(fin: Bool, opcode: UInt8, payload: [UInt8]) -> Outcome {
        switch opcode {
        case 0x0:
            guard var fragments = self.fragments else {
                return .malformed("a continuation frame outside a fragmented message")
            }
            self.fragments = nil
            fragments.payload += payload
            fragments.count += 1
            guard fragments.count <= Self.maxFragments else {
                return .malformed("a message in more than \(Self.maxFragments) fragments")
            }
            guard fragments.payload.count <= self.maxMessageSize else {
                return .malformed("a message of more than \(self.maxMessageSize) bytes")
            }
            guard fin else {
                self.fragments = fragments
                return .skipped
            }
            return .frame(Self.data(opcode: fragments.opcode, payload: fragments.payload))
        case 0x1, 0x2:
            guard self.fragments == nil else {
                return .malformed("a new message inside a fragmented one")
            }
            guard fin else {
                self.fragments = (opcode, payload, 1)
                return .skipped
            }
            return .frame(Self.data(opcode: opcode, payload: payload))
        case 0x8:
            let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
            return .frame(.close(code: code))
        case 0x9:
            return .frame(.ping(payload))
        case 0xA:
            return .frame(.pong(payload))
        default:
            return .skipped
        }
    }

    private static func data(opcode: UInt8, payload: [UInt8]) -> ProbeStateMachine.Frame {
        opcode == 0x1 ? .text(String(decoding: payload, as: UTF8.self)) : .binary(count: payload.count)
    }
}

/// Writes the probe's own frames: final, masked as RFC 6455 requires of a client.
enum ProbeFrameWriter {
    static let text: UInt8 = 0x1
    static let close: UInt8 = 0x8
    static let ping: UInt8 = 0x9
    static let pong: UInt8 = 0xA

    /// Appends one frame to `buffer`; `mask` is the frame's 4-byte masking key.
    static func write(opcode: UInt8, payload: [UInt8], mask: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeInteger(0x80 | opcode)
        if payload.count < 126 {
            buffer.writeInteger(0x80 | UInt8(payload.count))
        } else if payload.count <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(0x80 | 126))
            buffer.writeInteger(UInt16(payload.count))
        } else {
            buffer.writeInteger(UInt8(0x80 | 127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeInteger(mask)
        for (index, byte) in payload.enumerated() {
            buffer.writeInteger(byte ^ UInt8(truncatingIfNeeded: mask >> (24 - 8 * UInt32(index & 3))))
        }
    }
}
