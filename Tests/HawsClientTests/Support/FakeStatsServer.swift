import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An in-process stand-in for HAProxy's stats page: basic auth like `stats auth`, CSV for `;csv`, HTML
/// otherwise, over HTTP or HTTPS, on 127.0.0.1 with a kernel-chosen port.
final class FakeStatsServer: Sendable {
    enum Mode: Sendable {
        /// Like HAProxy: CSV when the URI has `;csv`, the HTML page otherwise.
        case haproxy
        /// Always the HTML page, as a stats page reached through something that strips `;csv`.
        case alwaysHTML
        /// Always this status with a short body.
        case status(Int)
        /// Accepts and never answers.
        case hang
    }

    struct Request: Sendable {
        var uri: String
        var headers: [(String, String)]
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    static let csv = """
        # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,status,
        stats,FRONTEND,,,1,1,9985,1,0,0,OPEN,
        ws_chat,s1,0,0,9,9,,9,0,0,UP,

        """

    let channel: any Channel
    private let requests = NIOLockedValueBox<[Request]>([])

    var port: Int { channel.localAddress?.port ?? 0 }
    var receivedRequests: [Request] { requests.withLockedValue { $0 } }

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// - Parameters:
    ///   - credentials: `user:password` that `stats auth` would hold; `nil` for no authentication.
    ///   - tls: a server TLS context for HTTPS.
    static func start(
        mode: Mode = .haproxy,
        credentials: String? = "admin:pw",
        tls: NIOSSLContext? = nil
    ) async throws -> FakeStatsServer {
        let box = NIOLockedValueBox<FakeStatsServer?>(nil)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLockedValue({ $0 }) else { return }
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(Handler(server: server, mode: mode, credentials: credentials))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let server = FakeStatsServer(channel: channel)
        box.withLockedValue { $0 = server }
        return server
    }

    func close() async {
        try? await channel.close()
    }

    fileprivate func record(_ request: Request) {
        requests.withLockedValue { $0.append(request) }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let server: FakeStatsServer
        private let mode: Mode
        private let expectedAuthorization: String?
        private var head: HTTPRequestHead?

        init(server: FakeStatsServer, mode: Mode, credentials: String?) {
            self.server = server
            self.mode = mode
            self.expectedAuthorization = credentials.map { "Basic " + Data($0.utf8).base64EncodedString() }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body:
                break
            case .end:
                guard let head else { return }
                server.record(Request(uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }))
                respond(context: context, to: head)
            }
        }

        private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead) {
            if case .hang = mode { return }
            if let expectedAuthorization, head.headers.first(name: "Authorization") != expectedAuthorization {
                // The exact answer of HAProxy 2.6 (samples-2.6.12/stats_http_noauth.txt).
                send(
                    context: context,
                    status: .unauthorized,
                    contentType: "text/html",
                    extraHeaders: [("www-authenticate", "Basic realm=\"HAProxy Statistics\"")],
                    body: "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this "
                        + "content.\n</body></html>\n"
                )
                return
            }
            switch mode {
            case .haproxy where head.uri.contains(";csv"):
                send(context: context, status: .ok, contentType: "text/plain", body: FakeStatsServer.csv)
            case .haproxy, .alwaysHTML:
                send(
                    context: context,
                    status: .ok,
                    contentType: "text/html",
                    body: "<html><head><title>Statistics Report for HAProxy</title></head><body></body></html>\n"
                )
            case .status(let code):
                send(
                    context: context,
                    status: HTTPResponseStatus(statusCode: code),
                    contentType: "text/plain",
                    extraHeaders: code == 302 ? [("Location", "https://127.0.0.1:8443/stats;csv")] : [],
                    body: "status \(code)\n"
                )
            case .hang:
                break
            }
        }

        private func send(
            context: ChannelHandlerContext,
            status: HTTPResponseStatus,
            contentType: String,
            extraHeaders: [(String, String)] = [],
            body: String
        ) {
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: contentType)
            headers.add(name: "cache-control", value: "no-cache")
            headers.add(name: "content-length", value: String(body.utf8.count))
            headers.add(contentsOf: extraHeaders)
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil
            )
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))),
                promise: nil
            )
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
