import HawsCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// One plain HTTP/1.1 GET per connection, for the demo's `http_api` traffic and the tests' stats page checks.
///
/// `Connection: close` and one request per connection keep it simple and match what HAProxy's
/// `option http-server-close` does on the server side anyway.
public enum LabHTTPClient {
    /// A complete response.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: String

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// GETs `path` from `host:port`.
    ///
    /// - Parameters:
    ///   - basicAuth: user and password for `Authorization: Basic` (the stats page's `stats auth`).
    ///   - timeout: bounds connect, request and response.
    public static func get(
        host: String = "127.0.0.1",
        port: Int,
        path: String,
        basicAuth: (user: String, password: String)? = nil,
        timeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Response {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "User-Agent", value: "haws-lab")
        if let basicAuth {
            let token = RFC6455.base64(Array("\(basicAuth.user):\(basicAuth.password)".utf8))
            headers.add(name: "Authorization", value: "Basic \(token)")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        let response: EventLoopFuture<NIOHTTPClientResponseFull>
        do {
            let address = try SocketAddress(ipAddress: host, port: port)
            response = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: NIOHTTPClientResponseFull.self)
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandlers(
                            NIOHTTPClientResponseAggregator(maxContentLength: 16 * 1024 * 1024),
                            FullResponseCatcher(promise: promise)
                        )
                        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                            promise.fail(LabError(.timeout, "GET \(path) got no complete response within \(timeout)"))
                            channel.close(promise: nil)
                        }
                        promise.futureResult.whenComplete { _ in
                            timer.cancel()
                            channel.close(promise: nil)
                        }
                        channel.write(HTTPClientRequestPart.head(head), promise: nil)
                        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                        return promise.futureResult
                    }
                }
        } catch {
            throw LabError(.httpFailed, "GET http://\(host):\(port)\(path): connect failed: \(error)")
        }
        let full: NIOHTTPClientResponseFull
        do {
            full = try await response.get()
        } catch {
            throw LabError(.httpFailed, "GET http://\(host):\(port)\(path) failed: \(error)")
        }
        var body = full.body ?? ByteBuffer()
        return Response(
            status: Int(full.head.status.code),
            headers: full.head.headers.map { (name: $0.name, value: $0.value) },
            body: body.readString(length: body.readableBytes) ?? ""
        )
    }
}

/// Hands the aggregated response to a promise.
private final class FullResponseCatcher: ChannelInboundHandler {
    typealias InboundIn = NIOHTTPClientResponseFull

    private let promise: EventLoopPromise<NIOHTTPClientResponseFull>

    init(promise: EventLoopPromise<NIOHTTPClientResponseFull>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.promise.succeed(Self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.promise.fail(LabError(.httpFailed, "connection closed before a complete response"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.promise.fail(error)
        context.close(promise: nil)
    }
}
