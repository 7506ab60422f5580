/// One process from the master CLI's `show proc`.
public struct HAProxyProcessEntry: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, Codable { case master, worker, program }

    public let pid: Int
    public let role: Role
    /// After a reload the previous workers stay, listed under `# old workers`, until their
    /// connections (WebSocket tunnels in particular) end.
    public let isOld: Bool
    public let reloads: Int?
    public let uptime: String?
    public let version: String?
}

/// Parses `show proc` from the master CLI (`haproxy -W -S master.sock`).
///
/// ```
/// #<PID>          <type>          <reloads>       <uptime>        <version>
/// 1162            master          5 [failed: 0]   0d00h02m07s     2.6.12
/// # workers
/// 1271            worker          1               0d00h00m00s     2.6.12
/// # old workers
/// 1233            worker          3               0d00h00m43s     2.6.12
/// ```
public enum ProcListParser {
    public static func parse(_ text: String) -> [HAProxyProcessEntry] {
        var entries: [HAProxyProcessEntry] = []
        var section = ""
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces()
            if line.hasPrefix("#") {
                section = line.dropFirst().trimmingSpaces().lowercased()
                continue
            }
            var cells = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard cells.count >= 2, let pid = Int(cells[0]) else { continue }
            // "5 [failed: 0]" spreads the reload count over three cells on the master line.
            if let failed = cells.firstIndex(of: "[failed:"), failed + 1 < cells.count {
                cells.removeSubrange(failed...(failed + 1))
            }
            let role: HAProxyProcessEntry.Role
            switch cells[1] {
            case "master": role = .master
            case "worker": role = .worker
            default: role = .program
            }
            entries.append(
                HAProxyProcessEntry(
                    pid: pid, role: role, isOld: section.hasPrefix("old"),
                    reloads: cells.count > 2 ? Int(cells[2]) : nil,
                    uptime: cells.count > 3 ? cells[3] : nil,
                    version: cells.count > 4 ? cells[4] : nil))
        }
        return entries
    }
}
