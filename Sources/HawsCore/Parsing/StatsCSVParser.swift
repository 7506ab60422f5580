/// What a stats CSV holds once parsed: proxies by type, in HAProxy's order.
public struct StatsTable: Sendable, Hashable {
    public var header: StatsHeader
    public var frontends: [Frontend]
    public var backends: [Backend]
    /// Rows that could not be understood (missing names, unknown `type`): skipped, never a server
    /// reported DOWN.
    public var skippedRows: Int

    public init(header: StatsHeader, frontends: [Frontend] = [], backends: [Backend] = [], skippedRows: Int = 0) {
        self.header = header
        self.frontends = frontends
        self.backends = backends
        self.skippedRows = skippedRows
    }
}

/// Why a stats CSV could not be read at all (as opposed to a bad row, which is skipped).
public struct StatsCSVError: Error, Hashable, CustomStringConvertible {
    public let description: String
    public static let empty = StatsCSVError(description: "the stats CSV is empty")
    public static func notCSV(_ firstLine: String) -> StatsCSVError {
        let shown = firstLine.count > 60 ? String(firstLine.prefix(60)) + "..." : firstLine
        return StatsCSVError(
            description: "not a HAProxy stats CSV (first line \"\(shown)\"; expected \"# pxname,svname,...\")")
    }
    public static let missingColumns = StatsCSVError(
        description: "the stats CSV header lacks the pxname/svname columns")
}

/// Parses HAProxy's stats CSV (`show stat` or the stats page `;csv`) by header name.
public enum StatsCSVParser {
    public static func parse(_ text: String) throws(StatsCSVError) -> StatsTable {
        let records = CSVReader.records(text)
        guard let first = records.first else { throw .empty }
        guard let firstCell = first.first, firstCell.hasPrefix("#") else {
            throw .notCSV(first.joined(separator: ","))
        }
        let header = StatsHeader(headerFields: first)
        guard let nameIndex = header.index(of: "pxname"), let svIndex = header.index(of: "svname") else {
            throw .missingColumns
        }
        let typeIndex = header.index(of: "type")

        var table = StatsTable(header: header)
        var backendIndex: [String: Int] = [:]
        var pendingServers: [String: [Server]] = [:]

        for values in records.dropFirst() {
            if let cell = values.first, cell.hasPrefix("#") { continue }  // a repeated header
            guard values.count > max(nameIndex, svIndex), !values[nameIndex].isEmpty, !values[svIndex].isEmpty else {
                table.skippedRows += 1
                continue
            }
            let row = StatsRow(header: header, values: values)
            let svname = values[svIndex]
            let type: Int?
            if let typeIndex, typeIndex < values.count, let parsed = Int(values[typeIndex]) {
                type = parsed
            } else if svname == "FRONTEND" {
                type = 0
            } else if svname == "BACKEND" {
                type = 1
            } else {
                type = nil
            }
            switch type {
            case 0?:
                table.frontends.append(Frontend(row: row))
            case 1?:
                let name = values[nameIndex]
                let backend = Backend(row: row, name: name, servers: pendingServers.removeValue(forKey: name) ?? [])
                if let existing = backendIndex[name] {
                    var merged = backend
                    merged.servers = table.backends[existing].servers + backend.servers
                    table.backends[existing] = merged
                } else {
                    backendIndex[name] = table.backends.count
                    table.backends.append(backend)
                }
            case 2?:
                let server = Server(row: row)
                if let index = backendIndex[server.backend] {
                    table.backends[index].servers.append(server)
                } else {
                    pendingServers[server.backend, default: []].append(server)
                }
            case 3?:
                continue  // listeners: not needed by haws
            default:
                table.skippedRows += 1
            }
        }
        // Servers whose BACKEND row never came (a truncated CSV): still shown, under a synthetic backend.
        for (name, servers) in pendingServers.sorted(by: { $0.key < $1.key }) {
            table.backends.append(Backend(row: nil, name: name, servers: servers))
        }
        return table
    }
}
