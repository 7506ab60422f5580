/// How the stats page client verifies HAProxy's certificate on `https://` URLs.
public enum StatsPageTLS: Sendable, Hashable {
    /// Verify the certificate chain and the host name, against the system's CAs or, when given, only the CAs
    /// in `caFile` (PEM), as for a private CA (`--stats-ca-file`).
    case verify(caFile: String?)
    /// No verification at all (`--stats-insecure`): explicit, so that it is never the silent fallback of a
    /// failed handshake.
    case insecure
}
