import HawsPosix
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads HAProxy's stats page as CSV over HTTP or HTTPS, for instances without a reachable runtime socket.
///
/// One connection per fetch with `Connection: close`: a poll every few seconds does not need keep-alive, and
/// a fresh connection never outlives a reload. The host is resolved once per fetch, off the event loop, and
/// every fetch has one deadline covering resolution, connect, TLS, request and response. The TLS context is
/// built once per client, because parsing a CA bundle is the expensive part of TLS setup.
public struct StatsPageClient: Sendable {
    public let endpoint: StatsPageEndpoint
    public let credentials: StatsPageCredentials?
    /// The deadline of a whole fetch.
    public let timeout: Duration
    /// Bodies larger than this fail with ``StatsPageError/Kind/responseTooLarge``.
    public let maximumResponseBytes: Int
    private let sslContext: NIOSSLContext?
    private let group: any EventLoopGroup

    /// - Throws: ``StatsPageError`` of kind ``StatsPageError/Kind/invalidSetup`` when the CA file cannot be
    ///   loaded.
    public init(
        endpoint: StatsPageEndpoint,
        credentials: StatsPageCredentials?,
        tls: StatsPageTLS = .verify(caFile: nil),
        timeout: Duration = .seconds(5),
        maximumResponseBytes: Int = RuntimeAPIClient.defaultMaximumResponseBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        precondition(timeout > .zero, "a stats page timeout must be positive")
        precondition(maximumResponseBytes > 0, "the response size limit must be positive")
        self.endpoint = endpoint
        self.credentials = credentials
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
        self.group = group
        self.sslContext = endpoint.scheme == .https ? try Self.makeSSLContext(tls, for: endpoint) : nil
    }

    /// Builds a client from a spec, reading the password from its file or from `HAWS_STATS_PASSWORD`.
    public init(
        spec: StatsPageSpec,
        timeout: Duration = .seconds(5),
        maximumResponseBytes: Int = RuntimeAPIClient.defaultMaximumResponseBytes,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        let credentials = try StatsPageCredentials.resolve(
            user: spec.user,
            passwordFile: spec.passwordFile,
            environment: environment,
            for: spec.endpoint
        )
        try self.init(
            endpoint: spec.endpoint,
            credentials: credentials,
            tls: spec.tls,
            timeout: timeout,
            maximumResponseBytes: maximumResponseBytes,
            group: group
        )
    }

    /// Fetches the stats CSV (the same text as `show stat` on the runtime API, starting with `# pxname,`).
    ///
    /// - Throws: ``StatsPageError``: 401 (credentials), another status, a body that is not stats CSV, TLS
    ///   failure, connection refused, timeout, DNS failure, ...; `CancellationError` if cancelled.
    public func fetchCSV() async throws -> String {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let channel = try await connect(deadline: deadline)
        let response: NIOHTTPClientResponseFull
        do {
            response = try await channel.executeThenClose { inbound, outbound in
                // A failed write is not the story: HAProxy may answer and close before `.end` is written, and
                // a failed TLS handshake closes the channel under the write. What the inbound side holds (the
                // answer, or the TLS error) is what to report.
                var writeError: (any Error)?
                do {
                    try await outbound.write(contentsOf: [.head(requestHead()), .end(nil)])
                } catch {
                    writeError = error
                }
                var responses = inbound.makeAsyncIterator()
                guard let response = try await responses.next() else {
                    try Task.checkCancellation()
                    if let writeError { throw writeError }
                    throw StatsPageError.closedWithoutAnswer(endpoint)
                }
                return response
            }
        } catch let error as StatsPageError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw classify(error, deadline: deadline)
        }
        return try csv(from: response)
    }

    // MARK: Internals

    private func requestHead() -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "User-Agent", value: "haws")
        headers.add(name: "Accept", value: "text/plain, text/csv, */*;q=0.1")
        headers.add(name: "Connection", value: "close")
        if let credentials {
            headers.add(name: "Authorization", value: credentials.authorizationHeader)
        }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.target, headers: headers)
    }

    /// The CSV of a complete response, or why there is none (internal for the fuzz target `fuzz-stats-page`).
    package func csv(from response: NIOHTTPClientResponseFull) throws -> String {
        let status = Int(response.head.status.code)
        guard status == 200 else {
            if status == 401 {
                throw StatsPageError.unauthorized(endpoint, user: credentials?.user)
            }
            throw StatsPageError.badStatus(
                endpoint,
                status: status,
                reason: response.head.status.reasonPhrase,
                location: response.head.headers.first(name: "Location")
            )
        }
        let body = response.body.map { String(buffer: $0) } ?? ""
        guard body.hasPrefix("# pxname,") else {
            throw StatsPageError.notCSV(
                endpoint,
                contentType: response.head.headers.first(name: "Content-Type"),
                start: String(body.prefix(80))
            )
        }
        return body
    }

    private func connect(
        deadline: NIODeadline
    ) async throws -> NIOAsyncChannel<NIOHTTPClientResponseFull, HTTPClientRequestPart> {
        let sslContext = self.sslContext
        let serverName = endpoint.hostIsIPLiteral ? nil : endpoint.host
        let maximumResponseBytes = self.maximumResponseBytes
        do {
            let addresses = try await HostResolver.system.resolve(
                host: endpoint.host,
                port: endpoint.port,
                deadline: deadline,
                eventLoop: group.next()
            )
            return try await Connector.connect(to: addresses, group: group, deadline: deadline) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(NIOHTTPClientResponseAggregator(maxContentLength: maximumResponseBytes))
                    try pipeline.addHandler(ChannelDeadlineHandler(deadline: deadline))
                    return try NIOAsyncChannel<NIOHTTPClientResponseFull, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        } catch let error as CancellationError {
            throw error
        } catch let error as HostResolutionError {
            throw StatsPageError.dnsFailed(endpoint, reason: error.reason)
        } catch {
            throw classify(error, deadline: deadline)
        }
    }

    private func classify(_ error: any Error, deadline: NIODeadline) -> StatsPageError {
        if error is ChannelDeadlineExceeded || NIODeadline.now() >= deadline {
            return .timeout(endpoint, after: timeout)
        }
        if case ChannelError.connectTimeout = error {
            return .timeout(endpoint, after: timeout)
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED:
                return .connectionRefused(endpoint)
            case ECONNRESET, EPIPE:
                return .closedWithoutAnswer(endpoint)
            case ETIMEDOUT:
                return .timeout(endpoint, after: timeout)
            default:
                return .connectFailed(endpoint, reason: RuntimeAPIError.errnoName(error.errnoCode))
            }
        }
        if let error = error as? NIOSSLError {
            switch error {
            case .uncleanShutdown:
                return .closedWithoutAnswer(endpoint)
            case .handshakeFailed(let boringError):
                return .tlsFailed(endpoint, reason: Self.tlsReason(boringError))
            default:
                return .tlsFailed(endpoint, reason: String(describing: error))
            }
        }
        if error is NIOSSLExtraError || error is BoringSSLError {
            return .tlsFailed(endpoint, reason: String(describing: error))
        }
        if let error = error as? NIOHTTPObjectAggregatorError, error == .frameTooLong {
            return .responseTooLarge(endpoint, limit: maximumResponseBytes)
        }
        if let error = error as? HTTPParserError, error == .invalidEOFState {
            return .cutOff(endpoint)
        }
        if error is HTTPParserError {
            return .notHTTP(endpoint, reason: String(describing: error))
        }
        if let error = error as? ChannelError,
            [ChannelError.ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed].contains(error)
        {
            return .closedWithoutAnswer(endpoint)
        }
        return .ioFailed(endpoint, reason: String(describing: error))
    }

    /// BoringSSL's reason code in words (`CERTIFICATE_VERIFY_FAILED` -> `certificate verify failed`), which
    /// is what a person can search for; the full error stack is noise in a one-line message.
    static func tlsReason(_ error: BoringSSLError) -> String {
        let text = String(describing: error)
        var reasons: [String] = []
        var rest = Substring(text)
        while let marker = rest.firstRange(of: "OPENSSL_internal:") {
            let reason = rest[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !reason.isEmpty {
                let words = reason.lowercased().replacing("_", with: " ")
                if !reasons.contains(words) { reasons.append(words) }
            }
            rest = rest[marker.upperBound...]
        }
        return reasons.isEmpty ? text.replacingLineBreaks() : reasons.joined(separator: ", ")
    }

    private static func makeSSLContext(_ tls: StatsPageTLS, for endpoint: StatsPageEndpoint) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .insecure:
            configuration.certificateVerification = .none
        case .verify(caFile: nil):
            break
        case .verify(caFile: let caFile?):
            // Check the file ourselves first: NIOSSL's error for a missing file does not say which file, and a
            // fifo would block.
            if let problem = ReadableFile.problem(at: caFile) {
                throw StatsPageError.invalidSetup(endpoint, Self.caFileAdvice(caFile, problem))
            }
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else {
                    throw StatsPageError.invalidSetup(endpoint, "the CA file \(caFile) holds no PEM certificate")
                }
                configuration.trustRoots = .certificates(certificates)
            } catch let error as StatsPageError {
                throw error
            } catch {
                let problem = "not PEM certificates: \(String(describing: error).replacingLineBreaks())"
                throw StatsPageError.invalidSetup(endpoint, Self.caFileAdvice(caFile, problem))
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw StatsPageError.invalidSetup(endpoint, "cannot set up TLS: \(String(describing: error))")
        }
    }

    private static func caFileAdvice(_ path: String, _ problem: String) -> String {
        "cannot load the CA file \(path) (\(problem)): give a readable PEM file with the CA certificate that signed "
            + "HAProxy's certificate"
    }
}
