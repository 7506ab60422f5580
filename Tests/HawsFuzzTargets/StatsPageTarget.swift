import HawsCore
import NIOCore
import NIOEmbedded
import NIOHTTP1
import HawsClient

extension FuzzTarget {
    /// The stats page's HTTP answer, through the same pipeline as ``StatsPageClient`` (NIO's HTTP/1 client
    /// handlers and its response aggregator under a size limit), then the client's reading of the response
    /// (status, `Location`, the `# pxname,` check) and the stats CSV parser on the body.
    ///
    /// The first input byte sets the chunk size the answer arrives in (1 to 256 bytes); the rest is the answer.
    public static let statsPage = FuzzTarget(name: "stats-page") { (input) throws(FuzzViolation) in
        guard input.count >= 1 else { return }
        let chunkSize = Int(input[0]) + 1
        let answer = UnsafeBufferPointer(rebasing: input[1...])

        let channel = EmbeddedChannel()
        let pipeline = channel.pipeline.syncOperations
        try! pipeline.addHTTPClientHandlers()
        try! pipeline.addHandler(NIOHTTPClientResponseAggregator(maxContentLength: maximumResponseBytes))
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/stats;csv")
        try! channel.writeOutbound(HTTPClientRequestPart.head(request))
        try! channel.writeOutbound(HTTPClientRequestPart.end(nil))

        var responses: [NIOHTTPClientResponseFull] = []
        var offset = 0
        do {
            while offset < answer.count {
                let end = min(offset + chunkSize, answer.count)
                try channel.writeInbound(ByteBuffer(bytes: UnsafeBufferPointer(rebasing: answer[offset..<end])))
                offset = end
                while let response = try channel.readInbound(as: NIOHTTPClientResponseFull.self) {
                    responses.append(response)
                }
            }
            // The server closes the connection (`Connection: close`): a body without a length ends here.
            channel.pipeline.fireChannelInactive()
            while let response = try channel.readInbound(as: NIOHTTPClientResponseFull.self) {
                responses.append(response)
            }
        } catch {
            // Not HTTP, or too large: StatsPageClient reports the error; nothing more to read.
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)

        if let response = responses.first {
            if let body = response.body {
                try require(body.readableBytes <= maximumResponseBytes, "a body above the aggregator's limit")
            }
            if let csv = try? statsPageClient.csv(from: response) {
                _ = try? StatsCSVParser.parse(csv)
            }
        }
    }
}

/// The aggregator's limit here: small, so that the fuzzer reaches it.
private let maximumResponseBytes = 4096

private let statsPageClient = try! StatsPageClient(
    endpoint: try! StatsPageEndpoint(parsing: "http://127.0.0.1:8404/stats;csv"),
    credentials: nil,
    maximumResponseBytes: maximumResponseBytes
)
