/// What a request to a correct lab backend asks of the answer, in its query string: `delay_ms=N` answers after N
/// milliseconds (a slow HTTP request in flight beside the tunnels), `status=N` answers with that status instead of
/// 200, and an upgrade request that carries `status=` is not upgraded but answered like a plain request (a refused
/// upgrade: `status=403`, or `status=200` from a server that ignores the `Upgrade` header).
///
/// Both values are bounded, so a test cannot park a connection forever or ask for a status HTTP does not have.
struct BackendRequestOptions: Sendable, Hashable {
    /// The longest delay a request may ask for.
    static let maximumDelay = Duration.seconds(60)

    var delay: Duration?
    var status: Int?

    /// Reads the options from `uri` (`/path?delay_ms=1500&status=403`); unknown keys and values out of range are
    /// ignored.
    init(uri: String) {
        guard let query = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Int(parts[1]) else { continue }
            switch parts[0] {
            case "delay_ms" where value >= 0 && .milliseconds(value) <= Self.maximumDelay:
                delay = .milliseconds(value)
            case "status" where (200...599).contains(value):
                status = value
            default:
                continue
            }
        }
    }

}
