import HawsCore

/// Per-second rates of every server of one snapshot, by position: `[backend][server]` in the order of
/// the ``InstanceSnapshot`` they were computed from (``LiveInstance/snapshot``).
///
/// Positional rather than keyed by name: at 10,000 servers a dictionary rebuilt every poll cost a string
/// hash per server to build and the release of 10,000 keys to drop, which showed in `haws top`'s profile.
/// Every consumer walks the snapshot's backends and servers anyway, so it knows the positions.
public struct ServerRateTable: Sendable, Hashable {
    private var backends: [[ObjectRates]] = []

    public init() {}

    /// The rates of the server at `server` in backend `backend`; `nil` outside the table.
    public subscript(backend backend: Int, server server: Int) -> ObjectRates? {
        get {
            guard backends.indices.contains(backend), backends[backend].indices.contains(server) else { return nil }
            return backends[backend][server]
        }
        set {
            if backends.count <= backend { backends += Array(repeating: [], count: backend + 1 - backends.count) }
            if backends[backend].count <= server {
                backends[backend] += Array(repeating: ObjectRates(), count: server + 1 - backends[backend].count)
            }
            backends[backend][server] = newValue ?? ObjectRates()
        }
    }

    /// The rates of the server named `key` in `snapshot` (a search: for tests and one-off lookups).
    public func rates(of key: ServerKey, in snapshot: InstanceSnapshot) -> ObjectRates? {
        guard let backend = snapshot.backends.firstIndex(where: { $0.name == key.backend }),
            let server = snapshot.backends[backend].servers.firstIndex(where: { $0.name == key.server })
        else { return nil }
        return self[backend: backend, server: server]
    }

    /// Every server's rates, backend after backend.
    public var all: [ObjectRates] { Array(backends.joined()) }

    /// Appends the rates of the next backend's servers, in order.
    mutating func append(backend servers: [ObjectRates]) { backends.append(servers) }
}
