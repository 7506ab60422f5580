/// What one `/metrics` client may hold of the agent: the port is often reachable from the network (Prometheus
/// scrapes from another host), and every connection costs a file descriptor the agent needs for HAProxy's
/// sockets, its probes and its outputs.
///
/// Defaults: Prometheus keeps one connection per target, and a few people may `curl` it: 64 connections leave
/// the rest of a 20,000-descriptor limit to the work the agent is for. A connection must deliver a whole request
/// within 10 s of opening (or of its previous response), and take its response within 30 s (a 10,000-server
/// scrape is ~10 MB); otherwise it is closed, so idle or slow clients cannot pile up.
public struct MetricsServerLimits: Sendable, Hashable {
    /// Connections open at once; one more is accepted and closed at once (the kernel's backlog stays empty).
    public var maxConnections: Int
    /// From the connection's start (or the end of its previous response) to the end of the next request.
    public var requestTimeout: Duration
    /// From the end of a request to the last byte of its response handed to the kernel.
    public var responseTimeout: Duration

    /// Bytes of a response queued for the client at most (1 MB): rendering waits while the kernel takes them, so a
    /// slow reader costs this much, not the whole ~10 MB body of 10,000 servers.
    public var queuedResponseBytes: Int

    public init(
        maxConnections: Int = 64, requestTimeout: Duration = .seconds(10), responseTimeout: Duration = .seconds(30),
        queuedResponseBytes: Int = 1 << 20
    ) {
        self.maxConnections = max(1, maxConnections)
        self.requestTimeout = requestTimeout
        self.responseTimeout = responseTimeout
        self.queuedResponseBytes = max(ResponseCredits.unit, queuedResponseBytes)
    }
}
