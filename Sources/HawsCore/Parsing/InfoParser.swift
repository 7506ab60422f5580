/// Parses `show info`: `Name: value` lines. Lines without a colon are ignored.
public enum InfoParser {
    public static func parse(_ text: String) -> InstanceInfo {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingSpaces()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            guard !key.isEmpty else { continue }
            fields[String(key)] = String(value)
        }
        return InstanceInfo(fields: fields)
    }
}
