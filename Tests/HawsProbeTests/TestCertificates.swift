import Foundation
import HawsTestSupport
import NIOSSL

/// Certificates made with the `openssl` CLI into a temporary directory, once per test process: a self-signed server
/// certificate, and a small CA with a server and a client certificate for mutual TLS.
///
/// Generated at test time so no private key is committed and nothing expires in the repository.
struct TestCertificates: Sendable {
    let directory: String
    /// Self-signed, for `localhost` and `127.0.0.1`.
    let selfSignedCertificate: String
    let selfSignedKey: String
    let caCertificate: String
    /// Signed by the CA, for `localhost` and `127.0.0.1`.
    let serverCertificate: String
    let serverKey: String
    /// Signed by the CA, for client authentication.
    let clientCertificate: String
    let clientKey: String

    static let shared: Result<TestCertificates, any Error> = Result { try TestCertificates.make() }

    private static func make() throws -> TestCertificates {
        let directory = try TemporaryDirectory().path
        func path(_ name: String) -> String { "\(directory)/\(name)" }
        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
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
        try self.openssl(
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
        try self.openssl(
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
            try self.openssl(
                ["req", "-new", "-config", path("\(name).cnf")] + ec
                    + ["-keyout", path("\(name).key"), "-out", path("\(name).csr")]
            )
            try self.openssl([
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
    static func serverContext(certificate: String, key: String, clientCA: String? = nil) throws -> NIOSSLContext {
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

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailed(arguments: arguments, stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let stderr: String
        var description: String { "openssl \(self.arguments.joined(separator: " ")) failed: \(self.stderr)" }
    }
}
