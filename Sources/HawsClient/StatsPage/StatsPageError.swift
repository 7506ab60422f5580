import HawsCore

/// A failure to read HAProxy's stats page as CSV, with a one-line description that names the URL and says
/// what to do.
public struct StatsPageError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, as an open set of cases to match on.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String, Hashable, Sendable {
            case invalidSetup, unauthorized, badStatus, notCSV, tlsFailed, connectionRefused, timeout
            case dnsFailed, connectFailed, closedWithoutAnswer, notHTTP, responseTooLarge, ioFailed, cutOff
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// Credentials or TLS options that cannot work (missing password, unreadable CA file, ...), found
        /// before any connection.
        public static let invalidSetup = Kind(.invalidSetup)
        /// 401: wrong or missing credentials.
        public static let unauthorized = Kind(.unauthorized)
        /// Any status but 200 and 401.
        public static let badStatus = Kind(.badStatus)
        /// 200, but the body is not HAProxy's stats CSV (the HTML page, or another application).
        public static let notCSV = Kind(.notCSV)
        /// The TLS handshake failed (untrusted certificate, wrong host name, not TLS at all).
        public static let tlsFailed = Kind(.tlsFailed)
        public static let connectionRefused = Kind(.connectionRefused)
        /// No complete answer before the deadline (name resolution and connect included).
        public static let timeout = Kind(.timeout)
        /// The host name did not resolve.
        public static let dnsFailed = Kind(.dnsFailed)
        /// Any other connect failure (network unreachable, ...).
        public static let connectFailed = Kind(.connectFailed)
        /// The server closed the connection before a complete HTTP answer.
        public static let closedWithoutAnswer = Kind(.closedWithoutAnswer)
        /// The connection closed mid-body (a chunked body without its last chunk, or short of its length).
        public static let cutOff = Kind(.cutOff)
        /// The answer is not HTTP (an `http://` URL pointing at a TLS port, say).
        public static let notHTTP = Kind(.notHTTP)
        public static let responseTooLarge = Kind(.responseTooLarge)
        public static let ioFailed = Kind(.ioFailed)

        public var description: String { code.rawValue }
    }

    public let kind: Kind
    /// The URL that was asked.
    public let endpoint: StatsPageEndpoint
    /// For HTTP failures, the status code HAProxy answered.
    public let status: Int?
    public let description: String

    init(_ kind: Kind, _ endpoint: StatsPageEndpoint, status: Int? = nil, _ description: String) {
        self.kind = kind
        self.endpoint = endpoint
        self.status = status
        self.description = description
    }

    static func invalidSetup(_ endpoint: StatsPageEndpoint, _ problem: String) -> Self {
        Self(.invalidSetup, endpoint, "stats page \(endpoint): \(problem)")
    }

    static func unauthorized(_ endpoint: StatsPageEndpoint, user: String?) -> Self {
        guard let user else {
            return Self(
                .unauthorized,
                endpoint,
                status: 401,
                "stats page \(endpoint) requires a login (401): pass --stats-user and --stats-password-file (or "
                    + "HAWS_STATS_PASSWORD) matching `stats auth` in haproxy.cfg"
            )
        }
        return Self(
            .unauthorized,
            endpoint,
            status: 401,
            "stats page \(endpoint) refused the credentials of user '\(user)' (401): check --stats-user / the "
                + "password file against HAProxy's `stats auth` line"
        )
    }

    static func badStatus(_ endpoint: StatsPageEndpoint, status: Int, reason: String, location: String?) -> Self {
        let advice: String
        switch status {
        case 300..<400:
            advice = location.map { "it redirects to \($0): use that URL" } ?? "it redirects: use the final URL"
        case 403:
            advice = "HAProxy (or a proxy in front) denies this client: check `stats http-request` rules and ACLs"
        case 404:
            advice = "check the path against `stats uri` in haproxy.cfg"
        case 503:
            advice =
                "HAProxy may be stopping, or the URL reaches a backend instead of the stats page (check "
                + "`stats uri`, and that the frontend has `stats enable`)"
        default:
            advice = "check that the URL is the `stats uri` of a frontend with `stats enable`"
        }
        return Self(
            .badStatus,
            endpoint,
            status: status,
            "stats page \(endpoint) answered \(status) \(reason.replacingLineBreaks()): \(advice)"
        )
    }

    static func notCSV(_ endpoint: StatsPageEndpoint, contentType: String?, start: String) -> Self {
        var excerpt = start.replacingLineBreaks()
        if excerpt.count > 60 { excerpt = String(excerpt.prefix(57)) + "..." }
        return Self(
            .notCSV,
            endpoint,
            status: 200,
            "stats page \(endpoint) did not answer HAProxy stats CSV (content-type \(contentType ?? "none"), starts "
                + "with '\(excerpt)'): give the URL of `stats uri` itself, e.g. http://host:8404/stats;csv"
        )
    }

    static func tlsFailed(_ endpoint: StatsPageEndpoint, reason: String) -> Self {
        let advice: String
        if reason.contains("wrong version number") {
            advice = "the port does not speak TLS: is it plain HTTP? use http://"
        } else if reason.contains("ostname") || reason.contains("certificate verify failed") {
            advice =
                "pass --stats-ca-file with the CA that signed HAProxy's certificate, check that the host of the "
                + "URL is a name the certificate lists, or use --stats-insecure to skip verification (lab only)"
        } else {
            advice =
                "check that the port is HTTPS and the TLS settings of its `bind ... ssl` line; "
                + "--stats-ca-file or --stats-insecure (lab only) if the certificate is the problem"
        }
        return Self(.tlsFailed, endpoint, "TLS handshake with \(endpoint) failed (\(reason)): \(advice)")
    }

    static func connectionRefused(_ endpoint: StatsPageEndpoint) -> Self {
        Self(
            .connectionRefused,
            endpoint,
            "connection refused by \(RuntimeEndpoint.bracketed(endpoint.host)):\(endpoint.port) (\(endpoint)): is "
                + "HAProxy running with a `bind` on that port in the frontend that has `stats enable`?"
        )
    }

    static func timeout(_ endpoint: StatsPageEndpoint, after timeout: Duration) -> Self {
        Self(
            .timeout,
            endpoint,
            "stats page \(endpoint) did not answer within \(DurationParser.format(timeout)): HAProxy may be hung or "
                + "overloaded, or a firewall drops the packets; raise the timeout if it is only slow"
        )
    }

    static func dnsFailed(_ endpoint: StatsPageEndpoint, reason: String) -> Self {
        Self(
            .dnsFailed,
            endpoint,
            "cannot resolve '\(endpoint.host)' of \(endpoint): \(reason); check the host name or use its IP address"
        )
    }

    static func connectFailed(_ endpoint: StatsPageEndpoint, reason: String) -> Self {
        Self(.connectFailed, endpoint, "cannot connect to \(endpoint): \(reason); check the address and the network")
    }

    static func closedWithoutAnswer(_ endpoint: StatsPageEndpoint) -> Self {
        let advice =
            endpoint.scheme == .https
            ? "is the port really HTTPS (a `bind ... ssl` line)? try http://; else check the HAProxy log"
            : "is the port really plain HTTP? try https:// for a `bind ... ssl` port; else check the HAProxy log"
        return Self(
            .closedWithoutAnswer,
            endpoint,
            "\(endpoint) closed the connection without a complete HTTP answer: \(advice)"
        )
    }

    static func cutOff(_ endpoint: StatsPageEndpoint) -> Self {
        Self(
            .cutOff,
            endpoint,
            "\(endpoint) closed the connection before the end of its answer (the body is truncated): HAProxy "
                + "restarted or crashed mid-answer, or a proxy in between cut it? retry"
        )
    }

    static func notHTTP(_ endpoint: StatsPageEndpoint, reason: String) -> Self {
        Self(
            .notHTTP,
            endpoint,
            "\(endpoint) did not answer HTTP (\(reason.replacingLineBreaks())): is it an https:// port used with "
                + "http://, or not HAProxy at all?"
        )
    }

    static func responseTooLarge(_ endpoint: StatsPageEndpoint, limit: Int) -> Self {
        Self(
            .responseTooLarge,
            endpoint,
            "the answer of \(endpoint) exceeded \(RuntimeAPIError.byteCount(limit)); haws stopped reading: use "
                + "`;up` or a `scope` to ask for less, or raise the size limit"
        )
    }

    static func ioFailed(_ endpoint: StatsPageEndpoint, reason: String) -> Self {
        Self(.ioFailed, endpoint, "reading \(endpoint) failed: \(reason.replacingLineBreaks()); retry")
    }
}
