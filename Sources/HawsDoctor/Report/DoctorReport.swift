import HawsCore

/// The result of one `haws doctor` run: what was read, every finding worst first, and the verdict.
public struct DoctorReport: Sendable, Hashable {
    /// What `haproxy -c` did: ran (with HAProxy's version and verdict), or why not.
    public struct HAProxyCheck: Sendable, Hashable {
        public var ran: Bool
        public var version: String?
        public var valid: Bool?

        public init(ran: Bool, version: String? = nil, valid: Bool? = nil) {
            self.ran = ran
            self.version = version
            self.valid = valid
        }
    }

    public var files: [String]
    public var instances: [String]
    public var haproxyCheck: HAProxyCheck
    public var findings: [DoctorFinding]

    public init(files: [String], instances: [String], haproxyCheck: HAProxyCheck, findings: [DoctorFinding]) {
        self.files = files
        self.instances = instances
        self.haproxyCheck = haproxyCheck
        self.findings = DoctorFinding.ordered(findings)
    }

    /// Nagios: the worst finding (info counts as OK).
    public var verdict: Severity { Severity.worst(findings.map(\.severity.nagios)) }

    public func count(_ severity: DoctorSeverity) -> Int { findings.count { $0.severity == severity } }

    /// `1 critical, 2 warning` (the counts that are not zero, worst first), or `no problem`; info is advice and left
    /// out.
    public var countsText: String {
        let counts = [DoctorSeverity.critical, .warning, .unknown].filter { count($0) > 0 }
        return counts.isEmpty ? "no problem" : counts.map { "\(count($0)) \($0.rawValue)" }.joined(separator: ", ")
    }

    /// One JSON document (Schemas/doctor.schema.json).
    public func json() -> String {
        var out = JSONLineBuilder(capacity: 4_096 + findings.count * 512)
        out.beginObject()
        out.field("schema", "haws.doctor/1")
        out.field("verdict", verdict.label.lowercased())
        out.field("exit_code", Int(verdict.exitCode))
        writeSources(into: &out)
        out.key("haproxy_check")
        out.beginObject()
        out.field("ran", haproxyCheck.ran)
        out.field("version", haproxyCheck.version)
        out.field("valid", haproxyCheck.valid)
        out.endObject()
        writeFindings(into: &out)
        out.endObject()
        return String(decoding: out.takeLine(), as: UTF8.self)
    }

    /// The `doctor` member of `haws status --json` (Schemas/status.schema.json): the verdict, what was read and the
    /// findings, in the shape of `haws doctor --json`.
    public func writeMember(into out: inout JSONLineBuilder) {
        out.beginObject()
        out.field("verdict", verdict.label.lowercased())
        writeSources(into: &out)
        writeFindings(into: &out)
        out.endObject()
    }

    private func writeSources(into out: inout JSONLineBuilder) {
        out.key("files")
        out.beginArray()
        for file in files { out.string(file) }
        out.endArray()
        out.key("instances")
        out.beginArray()
        for instance in instances { out.string(instance) }
        out.endArray()
    }

    /// `summary` and `findings[]`.
    private func writeFindings(into out: inout JSONLineBuilder) {
        out.key("summary")
        out.beginObject()
        for severity in DoctorSeverity.allCases.reversed() { out.field(severity.rawValue, count(severity)) }
        out.endObject()
        out.key("findings")
        out.beginArray()
        for finding in findings {
            out.beginObject()
            out.field("code", finding.code)
            out.field("severity", finding.severity.rawValue)
            out.field("file", finding.file)
            out.field("line", finding.line)
            out.field("section", finding.section)
            out.field("proxy", finding.proxy)
            out.field("instance", finding.instance)
            out.field("message", finding.message)
            out.field("fix", finding.fix)
            out.endObject()
        }
        out.endArray()
    }

    /// The table for a terminal: one block per finding, worst first, then a summary line.
    public func table(color: Bool = false) -> String {
        var lines: [String] = []
        let width = findings.map { $0.severity.label.count }.max() ?? 0
        for finding in findings {
            let label = finding.severity.label.padding(width)
            let painted = color ? Self.paint(label, finding.severity) : label
            let place = finding.place
            lines.append("\(painted)  \(finding.code)" + (place.isEmpty ? "" : "  " + place))
            let indent = String(repeating: " ", count: width + 2)
            lines.append(indent + finding.message)
            if let fix = finding.fix { lines.append(indent + "fix: " + fix) }
        }
        let counts = [DoctorSeverity.critical, .warning, .unknown, .info].map { "\(count($0)) \($0.rawValue)" }
        let read = files.isEmpty ? "no config file" : files.joined(separator: ", ")
        lines.append("")
        lines.append(
            "haws doctor: \(verdict.label): " + counts.joined(separator: ", ") + " (\(read)"
                + (instances.isEmpty ? "" : "; live: " + instances.joined(separator: ", ")) + ")")
        return lines.joined(separator: "\n") + "\n"
    }

    static func paint(_ text: String, _ severity: DoctorSeverity) -> String {
        let code = switch severity {
        case .critical: "31;1"
        case .warning: "33;1"
        case .unknown: "35"
        case .info: "36"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
