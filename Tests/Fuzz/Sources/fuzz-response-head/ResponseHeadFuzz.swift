import FuzzDriver
import NIOCore
import NIOHTTP1
@testable import HawsProbe

/// The probe's reading of the answer to its upgrade request: the response head, read from bytes as they
/// arrive, then judged by the handshake verifier.
///
/// The first input byte picks where the answer is cut in two (as two reads); the parse of the whole answer
/// and the parse resumed after the cut must agree.
@main
enum ResponseHeadFuzzer {
    static func main() { runLibFuzzer(responseHeadFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func responseHeadFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let answer = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let cut = answer.isEmpty ? 0 : Int(data[0]) % (answer.count + 1)

    var whole = ByteBuffer(bytes: answer)
    let outcome = ResponseHeadParser.parse(&whole)
    switch outcome {
    case .head(let head):
        precondition(whole.readerIndex <= answer.count)
        _ = verifier.verify(head)
    case .incomplete:
        precondition(whole.readerIndex == 0, "bytes consumed by an incomplete head")
    case .malformed(let reason):
        precondition(!reason.isEmpty)
    }

    var split = ByteBuffer(bytes: UnsafeBufferPointer(rebasing: answer[..<cut]))
    var first = ResponseHeadParser.parse(&split)
    if first == .incomplete {
        split.writeBytes(UnsafeBufferPointer(rebasing: answer[cut...]))
        first = ResponseHeadParser.parse(&split)
    }
    if case .head = outcome {
        precondition(first == outcome && split.readerIndex == whole.readerIndex, "a head parsed differently when cut")
    }
    return 0
}

private let verifier = HandshakeVerifier(
    key: "dGhlIHNhbXBsZSBub25jZQ==", offeredSubprotocols: ["chat.v1"], offeredExtensions: ["permessage-deflate"])
