/// The parts of `show info` that haws uses, plus every line by name.
public struct InstanceInfo: Sendable, Hashable {
    public let pid: Int?
    public let version: String?
    public let node: String?
    public let uptimeSeconds: Int?
    public let currentConnections: Int?
    public let maxConnections: Int?
    /// `Stopping: 1` while an old process finishes its connections after a reload.
    public let isStopping: Bool
    public let fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
        pid = fields["Pid"].flatMap { Int($0) }
        version = fields["Version"]
        node = fields["node"] ?? fields["Node"]
        uptimeSeconds = fields["Uptime_sec"].flatMap { Int($0) }
        currentConnections = fields["CurrConns"].flatMap { Int($0) }
        maxConnections = fields["Maxconn"].flatMap { Int($0) }
        isStopping = fields["Stopping"] == "1"
    }
}
