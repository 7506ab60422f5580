import HawsPosix

/// How `wss://` probes verify the server and present themselves; one `NIOSSLContext` is built per distinct profile.
///
/// Building a context parses the whole CA bundle (milliseconds of CPU), so the profile is a hashable value the
/// prober caches contexts by, rather than per-probe configuration.
public struct TLSProfile: Sendable, Hashable, Codable {
    /// A PEM file of CA certificates to trust instead of the system store (for an internal CA).
    public var caFile: String?
    /// A PEM certificate chain for mutual TLS.
    public var certificateFile: String?
    /// The PEM private key matching `certificateFile`.
    public var privateKeyFile: String?
    /// Skip certificate verification entirely. Explicit, because it hides exactly the expired or wrong certificate a
    /// probe exists to catch; use it only to time a backend whose certificate is known to be self-signed.
    public var insecure: Bool

    public init(
        caFile: String? = nil,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        insecure: Bool = false
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.insecure = insecure
    }
}

extension TLSProfile {
    /// Loads every file of the profile once, as the first `wss://` probe would, so that a missing or unreadable
    /// CA, certificate or key file is a bad argument at start-up rather than a probe failure on every round.
    ///
    /// - Throws: ``ProbeFailure/tls(reason:)`` naming the file and what is wrong with it.
    public func validate() throws(ProbeFailure) {
        let files = [("CA file", caFile), ("client certificate", certificateFile), ("client key", privateKeyFile)]
        for case let (what, path?) in files {
            if let problem = ReadableFile.problem(at: path) {
                throw .tls(reason: "cannot load \(what) \(path): \(problem)")
            }
        }
        _ = try TLSContextCache.makeContext(self)
    }
}
