/// `haproxy -c -f ...`'s alerts and warnings, as findings with their files and lines.
///
/// HAProxy 2.6-3.x print `[ALERT]    (pid) : config : parsing [FILE:LINE] : message` (or `config : [FILE:LINE] : ...`) and continuation lines
/// starting with `   | `. A message naming a proxy (`for backend 'be'`) without a line gets the line of that
/// proxy's section from the parsed configuration.
public enum HAProxyCheckOutput {
    public static func findings(_ output: String, config: ParsedConfig) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for rawLine in output.split(separator: "\n") {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.hasPrefix("   |") || line.hasPrefix("  |") {
                guard var last = findings.popLast() else { continue }
                let more = line.drop { $0 == " " || $0 == "|" }
                if !more.isEmpty { last.message += " " + more }
                findings.append(last)
                continue
            }
            let severity: DoctorSeverity
            let code: String
            if line.hasPrefix("[ALERT]") {
                severity = .critical
                code = DoctorCode.haproxyAlert
            } else if line.hasPrefix("[WARNING]") {
                severity = .warning
                code = DoctorCode.haproxyWarning
            } else {
                continue
            }
            var message = Substring(line)
            if let range = message.firstRange(of: ") : ") { message = message[range.upperBound...] }
            if message.hasPrefix("config : ") { message = message.dropFirst("config : ".count) }
            var location: ConfigLocation?
            if message.hasPrefix("parsing [") { message = message.dropFirst("parsing ".count) }
            if message.hasPrefix("["), let close = message.firstIndex(of: "]") {
                let inside = message[message.index(after: message.startIndex)..<close]
                if let colon = inside.lastIndex(of: ":"), let number = Int(inside[inside.index(after: colon)...]) {
                    location = ConfigLocation(file: String(inside[..<colon]), line: number)
                }
                message = message[message.index(after: close)...].drop { $0 == " " || $0 == ":" }
            }
            // Summaries of the alerts above them say nothing new.
            if message.hasPrefix("Error(s) found in configuration file") || message.hasPrefix("Fatal errors found") {
                continue
            }
            let proxy = proxyName(in: message)
            let section = proxy.flatMap { config.proxy(named: $0) }
            findings.append(DoctorFinding(
                code: code, severity: severity, at: location ?? section?.location, section: section?.sectionLabel,
                proxy: proxy, message: "haproxy -c: " + message, fix: nil))
        }
        return findings
    }

    /// `frontend 'fe'`, `backend 'be'`, `proxy 'x'` in a message.
    static func proxyName(in message: Substring) -> String? {
        for kind in ["frontend '", "backend '", "proxy '", "listen '"] {
            guard let range = message.firstRange(of: kind) else { continue }
            let rest = message[range.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { continue }
            return String(rest[..<end])
        }
        return nil
    }
}
