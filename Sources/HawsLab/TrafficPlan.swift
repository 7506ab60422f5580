/// How much client traffic `TrafficGenerator` keeps flowing.
///
/// Small on purpose: the demo must look alive on screen (tunnels open and close, messages move, API calls land)
/// on a 2-core machine without becoming a load test.
public struct TrafficPlan: Sendable, Hashable {
    /// A population of WebSockets kept open on one path.
    public struct Tunnels: Sendable, Hashable {
        public var path: String
        public var count: Int

        public init(path: String, count: Int) {
            self.path = path
            self.count = count
        }
    }

    public var tunnels: [Tunnels]
    /// Per population: how many tunnels are closed (and later reopened) per second.
    public var churnPerSecond: Double
    /// How often each population sends messages.
    public var messageInterval: Duration
    /// How many messages (each on a random open tunnel) per interval and population.
    public var messagesPerInterval: Int
    /// Plain GETs, cycled through.
    public var httpPaths: [String]
    public var httpRequestsPerSecond: Double
    /// The pace of the control loop; every wait inside a loop is bounded by timeouts of about this order.
    public var tick: Duration

    public init(
        tunnels: [Tunnels],
        churnPerSecond: Double = 2,
        messageInterval: Duration = .seconds(1),
        messagesPerInterval: Int = 3,
        httpPaths: [String] = ["/api/items", "/api/status"],
        httpRequestsPerSecond: Double = 2,
        tick: Duration = .milliseconds(250)
    ) {
        self.tunnels = tunnels
        self.churnPerSecond = churnPerSecond
        self.messageInterval = messageInterval
        self.messagesPerInterval = messagesPerInterval
        self.httpPaths = httpPaths
        self.httpRequestsPerSecond = httpRequestsPerSecond
        self.tick = tick
    }

    /// 20 tunnels on `/chat`, 8 on `/feed`, a few churned per second, and API calls: fits `LabSpec.demo`.
    public static let demo = TrafficPlan(
        tunnels: [Tunnels(path: "/chat", count: 20), Tunnels(path: "/feed", count: 8)]
    )
}
