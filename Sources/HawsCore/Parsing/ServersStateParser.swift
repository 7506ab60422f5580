/// One line of `show servers state`: what HAProxy itself keeps about a server.
///
/// It is the source of server addresses on a `level user` socket, where `show stat` hides `addr`,
/// and of the exact admin-state bits (a drain set from the CLI vs. inherited from a tracked server).
public struct ServerStateRecord: Sendable, Hashable {
    public let backendID: Int?
    public let backend: String
    public let serverID: Int?
    public let server: String
    public let address: String?
    public let port: Int?
    /// `srv_op_state`: 0 stopped, 1 starting, 2 running, 3 stopping.
    public let operationalCode: Int?
    /// `srv_admin_state` bits (`SRV_ADMF_*`): 0x01 forced maint, 0x02 inherited maint, 0x04 maint from
    /// config, 0x08 forced drain, 0x10 inherited drain, 0x20 maint from DNS resolution, 0x40 maint from a
    /// health check of `set server ... health`.
    public let adminFlags: Int?
    public let userWeight: Int?
    public let initialWeight: Int?
    public let fqdn: String?
    public let fields: [String: String]

    public var key: ServerKey { ServerKey(backend: backend, server: server) }

    public var adminState: AdminState? {
        guard let flags = adminFlags else { return nil }
        if flags & 0x67 != 0 { return .maint }
        if flags & 0x18 != 0 { return .drain }
        return .ready
    }

    /// `ip:port` when both are known and the port is not 0 (a port of 0 means "same as the client's").
    public var endpoint: String? {
        guard let address, let port, port != 0 else { return nil }
        return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// Parses `show servers state [backend]`: a version line, a `# name name ...` header, then
/// space-separated rows, mapped by header name. Unparseable rows are counted and skipped.
public enum ServersStateParser {
    public struct Result: Sendable, Hashable {
        public var records: [ServerStateRecord]
        public var skippedRows: Int
    }

    public static func parse(_ text: String) -> Result {
        var header: [String] = []
        var result = Result(records: [], skippedRows: 0)
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("#") {
                header = trimmed.dropFirst().split(separator: " ").map(String.init)
                continue
            }
            let cells = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if header.isEmpty { continue }  // the format version line ("1") precedes the header
            guard cells.count >= min(header.count, 4) else {
                result.skippedRows += 1
                continue
            }
            var fields: [String: String] = [:]
            for (index, name) in header.enumerated() where index < cells.count { fields[name] = cells[index] }
            guard let backend = fields["be_name"], let server = fields["srv_name"] else {
                result.skippedRows += 1
                continue
            }
            func value(_ name: String) -> String? { fields[name].flatMap { $0 == "-" ? nil : $0 } }
            result.records.append(
                ServerStateRecord(
                    backendID: value("be_id").flatMap { Int($0) },
                    backend: backend,
                    serverID: value("srv_id").flatMap { Int($0) },
                    server: server,
                    address: value("srv_addr"),
                    port: value("srv_port").flatMap { Int($0) },
                    operationalCode: value("srv_op_state").flatMap { Int($0) },
                    adminFlags: value("srv_admin_state").flatMap { Int($0) },
                    userWeight: value("srv_uweight").flatMap { Int($0) },
                    initialWeight: value("srv_iweight").flatMap { Int($0) },
                    fqdn: value("srv_fqdn"),
                    fields: fields))
        }
        return result
    }
}
