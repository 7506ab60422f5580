import NIOCore
import NIOEmbedded
import HawsClient

extension FuzzTarget {
    /// A runtime API answer as HAProxy's socket delivers it: in chunks, collected to EOF under a size limit,
    /// then read for HAProxy's refusals and error texts and split into a batch's answers.
    ///
    /// The first input byte sets the chunk size (1 to 256 bytes), the second the collection mode (contiguous or
    /// chunks) and the size limit (a quarter of the time below the answer's size); the rest is the answer.
    public static let runtimeAnswer = FuzzTarget(name: "runtime-answer") { (input) throws(FuzzViolation) in
        guard input.count >= 2 else { return }
        let chunkSize = Int(input[0]) + 1
        let contiguous = input[1] & 1 == 1
        let answer = Array(input[2...])
        let limit = input[1] & 6 == 0 ? answer.count / 2 : answer.count + 1

        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: RuntimeAnswer.self)
        let handOff = contiguous ? ByteArrayHandOff([]) : nil
        try! channel.pipeline.syncOperations.addHandler(
            RuntimeAnswerCollector(limit: limit, contiguous: handOff, promise: promise))
        let outcome = Outcome()
        promise.futureResult.whenComplete { outcome.result = $0 }
        var offset = 0
        while offset < answer.count, outcome.result == nil {
            let end = min(offset + chunkSize, answer.count)
            _ = try? channel.writeInbound(ByteBuffer(bytes: answer[offset..<end]))
            offset = end
        }
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        _ = try? channel.finish(acceptAlreadyClosed: true)

        switch outcome.result {
        case .success(let received)?:
            try require(answer.count <= limit, "an answer above the limit was accepted")
            let bytes = received.bytes ?? received.chunks.flatMap { Array($0.readableBytesView) }
            try require(
                received.count == answer.count && bytes == answer, "the collected answer differs from the sent bytes")
            // The end is tracked chunk by chunk: it must be the end of the whole answer, however it was cut.
            let complete = answer == [0x0A] || answer.suffix(2) == [0x0A, 0x0A]
            try require(received.endsLikeAnAnswer == complete, "the answer's end was misread across chunks")
        case .failure(let failure)?:
            guard let failure = failure as? RuntimeAnswerFailure, failure.error is RuntimeAnswerTooLarge else {
                throw FuzzViolation("collecting failed: \(failure)")
            }
            try require(answer.count > limit, "an answer within the limit was refused")
        case nil:
            throw FuzzViolation("the collector never answered")
        }

        let text = String(decoding: answer, as: UTF8.self)
        let message = RuntimeAPIResponse.errorMessage(of: text)
        if RuntimeAPIResponse.isUnknownCommand(text) || RuntimeAPIResponse.isPermissionDenied(text) {
            try require(message != nil, "a refusal without an error message")
            let endpoint = RuntimeEndpoint.unix(path: "/run/haproxy/admin.sock")
            _ = RuntimeAPIError.unknownCommand("show stat", on: endpoint, answer: message ?? "").description
        }
        let answers = RuntimeAPIResponse.answers(ofBatch: text)
        try require(answers.count <= text.utf8.count + 1, "more answers in a batch than bytes")
    }
}

/// Where the collector's promise lands; the embedded event loop completes it on the calling thread.
private final class Outcome: @unchecked Sendable {
    var result: Result<RuntimeAnswer, any Error>?
}
