import HawsPosix
import HawsProbe
import HawsTestSupport
import NIOCore
import NIOSSL
import Testing

extension LoopbackProbeTests {
    /// `wss://` against a TLS WebSocket echo server (NIOSSLServerHandler + NIO's server upgrader) with certificates
    /// made by the `openssl` CLI at test time.
    @Suite("TLS")
    struct TLS {
        let prober = LoopbackProbeTests.prober

        func certificates() throws -> TestCertificates {
            try TestCertificates.shared.get()
        }

        func withServer<T>(certificate: String, key: String, clientCA: String? = nil, _ body: (Int) async throws -> T)
            async throws -> T
        {
            let context = try TestCertificates.serverContext(certificate: certificate, key: key, clientCA: clientCA)
            let server = try await TestWebSocketServer.start(tls: context)
            do {
                let result = try await body(server.port)
                await server.stop()
                return result
            } catch {
                await server.stop()
                throw error
            }
        }

        @Test("an untrusted self-signed certificate fails as tls; the CA file or insecure passes")
        func selfSigned() async throws {
            let certs = try self.certificates()
            try await self.withServer(certificate: certs.selfSignedCertificate, key: certs.selfSignedKey) { port in
                let target = LoopbackProbeTests.target(port, tls: true)

                let untrusted = await self.prober.probe(target, options: LoopbackProbeTests.options())
                #expect(untrusted.failure?.code == "tls", "\(String(describing: untrusted.failure))")
                #expect(untrusted.failure?.description.contains("certificate") == true)
                #expect(untrusted.timings.connect != nil && untrusted.timings.tls == nil)
                #expect(untrusted.httpStatus == nil)

                let withCA = await self.prober.probe(
                    target,
                    options: LoopbackProbeTests.options(tls: TLSProfile(caFile: certs.selfSignedCertificate))
                )
                #expect(withCA.passed, "\(String(describing: withCA.failure))")
                LoopbackProbeTests.expectSaneTimings(withCA, full: true, tls: true)

                let insecure = await self.prober.probe(
                    target,
                    options: LoopbackProbeTests.options(.connectOnly, tls: TLSProfile(insecure: true))
                )
                #expect(insecure.passed, "\(String(describing: insecure.failure))")
                LoopbackProbeTests.expectSaneTimings(insecure, full: false, tls: true)
            }
        }

        /// The refused first attempt had a TLS handler of its own: only the second connection may reach the verdict.
        @Test("wss:// to a name whose first address refuses handshakes on the next address")
        func nextAddressWithTLS() async throws {
            let certs = try self.certificates()
            let closed = try LoopbackSockets.closedPort()
            try await self.withServer(certificate: certs.selfSignedCertificate, key: certs.selfSignedKey) { port in
                let resolver = HostResolver { _, _ in
                    [try SocketAddress(ipAddress: "127.0.0.1", port: closed), try SocketAddress(ipAddress: "127.0.0.1", port: port)]
                }
                let result = await Prober(raiseFileLimit: false, resolver: resolver).probe(
                    ProbeTarget(host: "two.test", port: port, tls: true, path: "/ws"),
                    options: LoopbackProbeTests.options(tls: TLSProfile(insecure: true)))
                #expect(result.passed, "\(String(describing: result.failure))")
                #expect(result.remoteAddress == "127.0.0.1:\(port)")
                #expect(result.timings.tls != nil)
            }
        }

        @Test("the SNI name is verified against the certificate")
        func serverName() async throws {
            let certs = try self.certificates()
            try await self.withServer(certificate: certs.serverCertificate, key: certs.serverKey) { port in
                let profile = TLSProfile(caFile: certs.caCertificate)
                var target = LoopbackProbeTests.target(port, tls: true)
                target.serverName = "localhost"
                let named = await self.prober.probe(target, options: LoopbackProbeTests.options(tls: profile))
                #expect(named.passed, "\(String(describing: named.failure))")
            }
        }

        @Test("mutual TLS: without a client certificate the handshake fails, with one it passes")
        func clientCertificate() async throws {
            let certs = try self.certificates()
            try await self.withServer(
                certificate: certs.serverCertificate,
                key: certs.serverKey,
                clientCA: certs.caCertificate
            ) { port in
                let target = LoopbackProbeTests.target(port, tls: true)
                let anonymous = await self.prober.probe(
                    target,
                    options: LoopbackProbeTests.options(tls: TLSProfile(caFile: certs.caCertificate))
                )
                // TLS 1.3 clients learn of the rejection after their handshake completes, on the first read.
                #expect(
                    anonymous.failure.map { ["tls", "closed_early"].contains($0.code) } == true,
                    "\(String(describing: anonymous.failure))"
                )

                let authenticated = await self.prober.probe(
                    target,
                    options: LoopbackProbeTests.options(
                        tls: TLSProfile(
                            caFile: certs.caCertificate,
                            certificateFile: certs.clientCertificate,
                            privateKeyFile: certs.clientKey
                        )
                    )
                )
                #expect(authenticated.passed, "\(String(describing: authenticated.failure))")
            }
        }

        @Test("a CA file that cannot be read fails as tls, naming the file, without connecting")
        func missingCAFile() async throws {
            let result = await self.prober.probe(
                LoopbackProbeTests.target(1, tls: true),
                options: LoopbackProbeTests.options(tls: TLSProfile(caFile: "/nonexistent/ca.pem"))
            )
            #expect(result.failure?.code == "tls")
            #expect(result.failure?.description.contains("/nonexistent/ca.pem") == true)
            #expect(result.timings.connect == nil)
        }

        @Test("a plain-text server on a wss:// target fails as tls")
        func plainServer() async throws {
            let server = try await TestWebSocketServer.start()
            let result = await self.prober.probe(
                LoopbackProbeTests.target(server.port, tls: true),
                options: LoopbackProbeTests.options()
            )
            await server.stop()
            #expect(result.failure?.code == "tls", "\(String(describing: result.failure))")
        }
    }
}
