import HawsCore
/// The rows of HAProxy's stats CSV (`show stat`), with cells looked up by column name.
///
/// A deliberately small reader for the lab's own checks (is `ws_chat/s1` DOWN yet?); haws's real parser lives in
/// HawsCore. It still follows the two rules that matter: columns by header name, never by position, and quoted
/// cells per RFC 4180.
public struct LabStatRows: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var cells: [String: String]

        public subscript(_ column: String) -> String? { self.cells[column] }
        public var proxy: String { self.cells["pxname"] ?? "" }
        public var service: String { self.cells["svname"] ?? "" }
        public var status: String { self.cells["status"] ?? "" }
    }

    public var rows: [Row]

    /// Parses the CSV text; an input without the `# pxname,...` header gives no rows.
    public init(csv: String) {
        let records = Self.records(csv)
        guard let header = records.first, let first = header.first, first.hasPrefix("# ") else {
            self.rows = []
            return
        }
        var names = header
        names[0] = String(first.dropFirst(2))
        self.rows = records.dropFirst().compactMap { fields in
            guard fields.count > 1 else {
                return nil
            }
            var cells: [String: String] = [:]
            for (name, value) in zip(names, fields) where !name.isEmpty {
                cells[name] = value
            }
            return Row(cells: cells)
        }
    }

    /// The row of `proxy/service` (service is a server name, `FRONTEND` or `BACKEND`).
    public func row(_ proxy: String, _ service: String) -> Row? {
        self.rows.first { $0.proxy == proxy && $0.service == service }
    }

    /// RFC 4180 records: quoted cells may hold commas, doubled quotes and newlines.
    /// The lab reads the CSV with the same RFC 4180 reader as haws itself.
    private static func records(_ text: String) -> [[String]] { CSVReader.records(text) }
}
