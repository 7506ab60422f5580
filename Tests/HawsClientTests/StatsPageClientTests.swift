import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import HawsClient
import HawsTestSupport

/// The stats page client against in-process HTTP(S) servers on loopback.
@Suite struct StatsPageClientTests {
    let admin = StatsPageCredentials(user: "admin", password: "pw")

    func client(
        _ url: String,
        credentials: StatsPageCredentials?,
        tls: StatsPageTLS = .verify(caFile: nil),
        timeout: Duration = .seconds(5),
        maximumResponseBytes: Int = 1 << 20
    ) throws -> StatsPageClient {
        try StatsPageClient(
            endpoint: StatsPageEndpoint(parsing: url),
            credentials: credentials,
            tls: tls,
            timeout: timeout,
            maximumResponseBytes: maximumResponseBytes
        )
    }

    @Test func fetchesCSVWithBasicAuth() async throws {
        let server = try await FakeStatsServer.start()
        let csv = try await client("http://127.0.0.1:\(server.port)/stats", credentials: admin).fetchCSV()
        #expect(csv == FakeStatsServer.csv)
        let request = try #require(server.receivedRequests.first)
        #expect(request.uri == "/stats;csv")
        #expect(request.header("Host") == "127.0.0.1:\(server.port)")
        #expect(request.header("Connection") == "close")
        #expect(request.header("Authorization") == "Basic YWRtaW46cHc=")
        await server.close()
    }

    @Test func wrongOrMissingCredentialsAre401() async throws {
        let server = try await FakeStatsServer.start()
        let url = "http://127.0.0.1:\(server.port)/stats"
        let wrong = await #expect(throws: StatsPageError.self) {
            try await client(url, credentials: StatsPageCredentials(user: "admin", password: "nope")).fetchCSV()
        }
        #expect(wrong?.kind == .unauthorized)
        #expect(wrong?.status == 401)
        #expect(wrong?.description.contains("user 'admin'") == true)
        #expect(wrong?.description.contains("stats auth") == true)
        #expect(wrong?.description.contains("nope") == false)

        let missing = await #expect(throws: StatsPageError.self) { try await client(url, credentials: nil).fetchCSV() }
        #expect(missing?.kind == .unauthorized)
        #expect(missing?.description.contains("--stats-user") == true)
        await server.close()
    }

    @Test func htmlIsNotCSV() async throws {
        let server = try await FakeStatsServer.start(mode: .alwaysHTML)
        let error = await #expect(throws: StatsPageError.self) {
            try await client("http://127.0.0.1:\(server.port)/stats", credentials: admin).fetchCSV()
        }
        #expect(error?.kind == .notCSV)
        #expect(error?.description.contains("text/html") == true)
        #expect(error?.description.contains("<html>") == true)
        await server.close()
    }

    @Test(arguments: [404, 503, 302, 500])
    func otherStatusesAreNamed(status: Int) async throws {
        let server = try await FakeStatsServer.start(mode: .status(status), credentials: nil)
        let error = await #expect(throws: StatsPageError.self) {
            try await client("http://127.0.0.1:\(server.port)/stats", credentials: nil).fetchCSV()
        }
        #expect(error?.kind == .badStatus)
        #expect(error?.status == status)
        #expect(error?.description.contains("answered \(status)") == true)
        if status == 302 {
            #expect(error?.description.contains("https://127.0.0.1:8443/stats;csv") == true)
        }
        await server.close()
    }

    @Test func refusedPort() async throws {
        let reserved = try ReservedPort()
        let port = reserved.port
        let error = await #expect(throws: StatsPageError.self) {
            try await client("http://127.0.0.1:\(port)/stats", credentials: admin).fetchCSV()
        }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
    }

    @Test func hungServerTimesOutAtTheDeadline() async throws {
        let server = try await FakeStatsServer.start(mode: .hang)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: StatsPageError.self) {
            try await client("http://127.0.0.1:\(server.port)/stats", credentials: admin, timeout: .milliseconds(500))
                .fetchCSV()
        }
        let elapsed = clock.now - start
        #expect(error?.kind == .timeout)
        #expect(elapsed >= .milliseconds(450))
        #expect(elapsed < .milliseconds(2000))
        await server.close()
    }

    @Test func unknownHost() async throws {
        let error = await #expect(throws: StatsPageError.self) {
            try await client("http://no-such-host.invalid:8404/stats", credentials: nil).fetchCSV()
        }
        #expect(error?.kind == .dnsFailed)
        #expect(error?.description.contains("no-such-host.invalid") == true)
    }

    @Test func bodyOverTheCapIsRefused() async throws {
        let server = try await FakeStatsServer.start()
        let error = await #expect(throws: StatsPageError.self) {
            try await client("http://127.0.0.1:\(server.port)/stats", credentials: admin, maximumResponseBytes: 10)
                .fetchCSV()
        }
        #expect(error?.kind == .responseTooLarge)
        await server.close()
    }

    @Test func specReadsThePasswordFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let passwordFile = try directory.write("pass", "pw\n")
        let server = try await FakeStatsServer.start()
        let spec = try StatsPageSpec(
            endpoint: StatsPageEndpoint(parsing: "http://admin@127.0.0.1:\(server.port)/stats"),
            passwordFile: passwordFile
        )
        #expect(try await StatsPageClient(spec: spec, environment: [:]).fetchCSV() == FakeStatsServer.csv)
        let fromEnvironment = try StatsPageSpec(
            endpoint: StatsPageEndpoint(parsing: "http://127.0.0.1:\(server.port)/stats"),
            user: "admin"
        )
        let client = try StatsPageClient(spec: fromEnvironment, environment: ["HAWS_STATS_PASSWORD": "pw"])
        #expect(try await client.fetchCSV() == FakeStatsServer.csv)
        await server.close()
    }
}

/// HTTPS with a certificate made by `openssl` at test time.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl CLI"))
struct StatsPageClientTLSTests {
    let admin = StatsPageCredentials(user: "admin", password: "pw")

    /// An HTTPS stats page whose certificate is the shared self-signed one for `localhost` and `127.0.0.1`.
    func withTLSServer(_ body: (FakeStatsServer, TestCertificates, TemporaryDirectory) async throws -> Void) async throws
    {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificates = try TestCertificates.shared.get()
        let server = try await FakeStatsServer.start(
            tls: try TestCertificates.serverContext(
                certificate: certificates.selfSignedCertificate, key: certificates.selfSignedKey))
        do {
            try await body(server, certificates, directory)
        } catch {
            await server.close()
            throw error
        }
        await server.close()
    }

    @Test func verifiesWithTheCAFileByNameAndByIP() async throws {
        try await withTLSServer { server, certificate, _ in
            for host in ["localhost", "127.0.0.1"] {
                let client = try StatsPageClient(
                    endpoint: StatsPageEndpoint(parsing: "https://\(host):\(server.port)/stats"),
                    credentials: admin,
                    tls: .verify(caFile: certificate.selfSignedCertificate)
                )
                #expect(try await client.fetchCSV() == FakeStatsServer.csv, "via \(host)")
            }
        }
    }

    @Test func insecureSkipsVerification() async throws {
        try await withTLSServer { server, _, _ in
            let client = try StatsPageClient(
                endpoint: StatsPageEndpoint(parsing: "https://127.0.0.1:\(server.port)/stats"),
                credentials: admin,
                tls: .insecure
            )
            #expect(try await client.fetchCSV() == FakeStatsServer.csv)
        }
    }

    @Test func failsWithoutTheCA() async throws {
        try await withTLSServer { server, _, _ in
            let client = try StatsPageClient(
                endpoint: StatsPageEndpoint(parsing: "https://localhost:\(server.port)/stats"),
                credentials: admin
            )
            let error = await #expect(throws: StatsPageError.self) { try await client.fetchCSV() }
            #expect(error?.kind == .tlsFailed)
            #expect(error?.description.contains("certificate verify failed") == true, "\(String(describing: error))")
            #expect(error?.description.contains("--stats-ca-file") == true)
        }
    }

    /// Depending on timing, a plain HTTP server's 400 reaches the client (a TLS "wrong version number") or its
    /// close does first (the connection ends mid-handshake); both messages point at the scheme.
    @Test func httpsURLOnAPlainPort() async throws {
        let server = try await FakeStatsServer.start()
        let client = try StatsPageClient(
            endpoint: StatsPageEndpoint(parsing: "https://127.0.0.1:\(server.port)/stats"),
            credentials: admin,
            tls: .insecure
        )
        let error = await #expect(throws: StatsPageError.self) { try await client.fetchCSV() }
        #expect([.tlsFailed, .closedWithoutAnswer].contains(error?.kind), "\(String(describing: error))")
        #expect(error?.description.contains("http://") == true)
        await server.close()
    }

    @Test func httpURLOnATLSPort() async throws {
        try await withTLSServer { server, _, _ in
            let client = try StatsPageClient(
                endpoint: StatsPageEndpoint(parsing: "http://127.0.0.1:\(server.port)/stats"),
                credentials: admin,
                timeout: .seconds(2)
            )
            let error = await #expect(throws: StatsPageError.self) { try await client.fetchCSV() }
            #expect([.closedWithoutAnswer, .notHTTP].contains(error?.kind), "\(String(describing: error))")
        }
    }

    @Test func unusableCAFileFailsAtSetup() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let notPEM = try directory.write("ca.pem", "hello\n")
        for (file, words) in [(directory.file("missing.pem"), "no such file"), (notPEM, "PEM")] {
            do {
                _ = try StatsPageClient(
                    endpoint: StatsPageEndpoint(parsing: "https://127.0.0.1:8443/stats"),
                    credentials: nil,
                    tls: .verify(caFile: file)
                )
                Issue.record("no error for \(file)")
            } catch let error as StatsPageError {
                #expect(error.kind == .invalidSetup)
                #expect(error.description.contains(file))
                #expect(error.description.contains(words), "\(error.description)")
            }
        }
    }
}
