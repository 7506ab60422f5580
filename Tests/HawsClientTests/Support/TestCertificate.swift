import Foundation
import HawsTestSupport
import NIOSSL

/// A self-signed certificate for `localhost` and `127.0.0.1`, made by the `openssl` CLI at test time, so no
/// key material is committed.
struct TestCertificate {
    let certificateFile: String
    let keyFile: String

    init(in directory: TemporaryDirectory) throws {
        certificateFile = directory.file("cert.pem")
        keyFile = directory.file("key.pem")
        let (status, output) = try ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", keyFile, "-out", certificateFile, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            in: directory
        )
        guard status == 0 else {
            throw TestCertificateError(output: output)
        }
    }

    func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }
}

struct TestCertificateError: Error, CustomStringConvertible {
    let output: String
    var description: String { "openssl failed: \(output)" }
}
