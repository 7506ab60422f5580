/// Everything needed to read one stats page, as given by flags or a config file, checked for contradictions.
///
/// Holds the password's *source* (a file path), never the password, so a spec can be logged or shown in
/// `haws config` output without leaking it; `StatsPageClient(spec:)` reads the password when the client is
/// built.
public struct StatsPageSpec: Sendable, Hashable {
    public let endpoint: StatsPageEndpoint
    /// The basic-auth user: from `--stats-user` or from the URL's `user@`.
    public let user: String?
    /// The file holding the password (`--stats-password-file`); without it, `HAWS_STATS_PASSWORD` is used.
    public let passwordFile: String?
    public let tls: StatsPageTLS

    /// - Throws: ``StatsPageError`` of kind ``StatsPageError/Kind/invalidSetup`` when the user is given twice
    ///   with different values, TLS options are given for an `http://` URL, or both a CA file and
    ///   `insecure` are given.
    public init(
        endpoint: StatsPageEndpoint,
        user: String? = nil,
        passwordFile: String? = nil,
        caFile: String? = nil,
        insecure: Bool = false
    ) throws {
        if let user, let urlUser = endpoint.user, user != urlUser {
            throw StatsPageError.invalidSetup(
                endpoint,
                "the user is given twice, '\(urlUser)' in the URL and '\(user)' with --stats-user (stats_user): "
                    + "keep one"
            )
        }
        if let user, user.isEmpty || user.contains(":") || user.contains(where: { $0.isNewline }) {
            throw StatsPageError.invalidSetup(
                endpoint,
                "the stats user '\(user.replacingLineBreaks())' is empty or contains ':' or a line break, which basic "
                    + "auth cannot carry"
            )
        }
        if endpoint.scheme == .http, caFile != nil || insecure {
            throw StatsPageError.invalidSetup(
                endpoint,
                "--stats-ca-file and --stats-insecure (stats_ca_file, stats_insecure) apply only to https:// URLs"
            )
        }
        if caFile != nil, insecure {
            throw StatsPageError.invalidSetup(
                endpoint,
                "--stats-ca-file and --stats-insecure contradict each other (verify with this CA, or do not verify): "
                    + "keep one"
            )
        }
        if let passwordFile, passwordFile.isEmpty {
            throw StatsPageError.invalidSetup(endpoint, "the stats password file path is empty")
        }
        self.endpoint = endpoint
        self.user = user ?? endpoint.user
        self.passwordFile = passwordFile
        self.tls = insecure ? .insecure : .verify(caFile: caFile)
    }
}
