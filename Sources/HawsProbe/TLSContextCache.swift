import NIOConcurrencyHelpers
import NIOSSL

/// One `NIOSSLContext` per ``TLSProfile``, shared by every probe that uses it.
///
/// Creating a context parses the CA bundle (the system store has over a hundred certificates), which would dominate
/// the cost of a thousand `wss://` probes if each built its own. Failures are not cached: a CA file fixed on disk is
/// picked up by the next probe.
final class TLSContextCache: Sendable {
    private let contexts = NIOLockedValueBox<[TLSProfile: NIOSSLContext]>([:])

    /// The shared context for `profile`, built on first use.
    ///
    /// - Throws: ``ProbeFailure/tls(reason:)`` naming the file that could not be loaded.
    func context(for profile: TLSProfile) throws(ProbeFailure) -> NIOSSLContext {
        if let cached = self.contexts.withLockedValue({ $0[profile] }) {
            return cached
        }
        let context = try Self.makeContext(profile)
        return self.contexts.withLockedValue { contexts in
            // Two probes may race to build the first context; keep one so later probes share it.
            if let existing = contexts[profile] {
                return existing
            }
            contexts[profile] = context
            return context
        }
    }

    static func makeContext(_ profile: TLSProfile) throws(ProbeFailure) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if profile.insecure {
            configuration.certificateVerification = .none
        }
        if let caFile = profile.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else {
                    throw ProbeFailure.tls(reason: "CA file \(caFile) holds no PEM certificate")
                }
                configuration.trustRoots = .certificates(certificates)
            } catch let failure as ProbeFailure {
                throw failure
            } catch {
                throw .tls(reason: "cannot load CA file \(caFile): \(error)")
            }
        }
        switch (profile.certificateFile, profile.privateKeyFile) {
        case (nil, nil):
            break
        case (let certificateFile?, let keyFile?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map {
                    .certificate($0)
                }
            } catch {
                throw .tls(reason: "cannot load client certificate \(certificateFile): \(error)")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw .tls(reason: "cannot load client key \(keyFile): \(error)")
            }
        default:
            throw .tls(reason: "a client certificate needs both a certificate file and a key file")
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls(reason: "cannot build the TLS context: \(error)")
        }
    }
}
