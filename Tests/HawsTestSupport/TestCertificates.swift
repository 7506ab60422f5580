import Foundation
import NIOSSL

/// Certificates made with the `openssl` CLI into a temporary directory, once per test process: a self-signed server
/// certificate, and a small CA with a server and a client certificate for mutual TLS. The probe's TLS tests and the
/// stats page client's HTTPS tests use the same ones.
///
/// Generated at test time so no private key is committed and nothing expires in the repository.
public struct TestCertificates: Sendable {
    public let directory: String
    /// Self-signed, for `localhost` and `127.0.0.1`.
    public let selfSignedCertificate: String
    public let selfSignedKey: String
    public let caCertificate: String
    /// Signed by the CA, for `localhost` and `127.0.0.1`.
    public let serverCertificate: String
    public let serverKey: String
    /// Signed by the CA, for client authentication.
    public let clientCertificate: String
    public let clientKey: String

    public static let shared: Result<TestCertificates, any Error> = Result { try TestCertificates.make() }

    private static func make() throws -> TestCertificates {
        let temporary = try TemporaryDirectory()
        let directory = temporary.path
        func path(_ name: String) -> String { temporary.file(name) }
        func write(_ name: String, _ text: String) throws {
            _ = try temporary.write(name, text)
        }
        func openssl(_ arguments: [String]) throws {
            try Self.run(openssl: arguments, in: temporary)
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

        try write(
            "self.cnf",
            """
            [req]
            distinguished_name = dn
            prompt = no
            x509_extensions = ext
            [dn]
            CN = localhost
            [ext]
            subjectAltName = DNS:localhost,IP:127.0.0.1
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,digitalSignature,keyCertSign

            """
        )
        try openssl(
            ["req", "-x509", "-config", path("self.cnf")] + ec
                + ["-keyout", path("self.key"), "-out", path("self.pem"), "-days", "2"]
        )

        try write(
            "ca.cnf",
            """
            [req]
            distinguished_name = dn
            prompt = no
            x509_extensions = ext
            [dn]
            CN = haws test CA
            [ext]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash

            """
        )
        try openssl(
            ["req", "-x509", "-config", path("ca.cnf")] + ec
                + ["-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2"]
        )

        for (name, usage) in [("server", "serverAuth"), ("client", "clientAuth")] {
            try write(
                "\(name).cnf",
                """
                [req]
                distinguished_name = dn
                prompt = no
                [dn]
                CN = \(name == "server" ? "localhost" : "haws probe")
                [ext]
                subjectAltName = DNS:localhost,IP:127.0.0.1
                basicConstraints = CA:FALSE
                keyUsage = critical,digitalSignature
                extendedKeyUsage = \(usage)

                """
            )
            try openssl(
                ["req", "-new", "-config", path("\(name).cnf")] + ec
                    + ["-keyout", path("\(name).key"), "-out", path("\(name).csr")]
            )
            try openssl([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                "-set_serial", name == "server" ? "2" : "3", "-days", "2", "-out", path("\(name).pem"),
                "-extfile", path("\(name).cnf"), "-extensions", "ext",
            ])
        }
        return TestCertificates(
            directory: directory,
            selfSignedCertificate: path("self.pem"),
            selfSignedKey: path("self.key"),
            caCertificate: path("ca.pem"),
            serverCertificate: path("server.pem"),
            serverKey: path("server.key"),
            clientCertificate: path("client.pem"),
            clientKey: path("client.key")
        )
    }

    /// A server context for `certificate`; with `clientCA`, clients must present a certificate it signed.
    public static func serverContext(certificate: String, key: String, clientCA: String? = nil) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        )
        if let clientCA {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Runs `openssl` (found on `PATH`) to completion, its output in a log in `directory`.
    private static func run(openssl arguments: [String], in directory: TemporaryDirectory) throws {
        let (status, output) = try ChildProcess.run("/usr/bin/env", ["openssl"] + arguments, in: directory)
        guard status == 0 else {
            throw OpenSSLFailed(arguments: arguments, output: output)
        }
    }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let output: String
        var description: String { "openssl \(self.arguments.joined(separator: " ")) failed: \(self.output)" }
    }
}
