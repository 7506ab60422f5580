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
/// 1233            worker          [was: 1]        0d00h00m43s     2.6.12
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
            // Bracketed notes become one token each: "5 [failed: 0]" on the master, "[was: 1]" in place
            // of the reload count on an old worker.
            var tokens: [String] = []
            var open = false
            for cell in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if open {
                    tokens[tokens.count - 1] += " " + cell
                } else {
                    tokens.append(String(cell))
                    open = cell.hasPrefix("[")
                }
                if open, cell.hasSuffix("]") { open = false }
            }
            guard tokens.count >= 2, let pid = Int(tokens[0]) else { continue }
            var rest = tokens.dropFirst(2)
            let reloads = rest.first.flatMap { Int($0) }
            if rest.first?.hasPrefix("[") == true || reloads != nil { rest = rest.dropFirst() }
            if rest.first?.hasPrefix("[") == true { rest = rest.dropFirst() }
            let cells = [tokens[0], tokens[1]] + rest
            let role: HAProxyProcessEntry.Role
            switch cells[1] {
            case "master": role = .master
            case "worker": role = .worker
            default: role = .program
            }
            entries.append(
                HAProxyProcessEntry(
                    pid: pid, role: role, isOld: section.hasPrefix("old"),
                    reloads: reloads,
                    uptime: cells.count > 2 ? cells[2] : nil,
                    version: cells.count > 3 ? cells[3] : nil))
        }
        return entries
    }
}
