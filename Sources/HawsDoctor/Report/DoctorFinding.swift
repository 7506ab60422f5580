import HawsCore

/// How bad a finding is. `info` is advice: it never changes the exit code.
public enum DoctorSeverity: String, Sendable, Hashable, CaseIterable, Comparable {
    case info, unknown, warning, critical

    /// The Nagios status this severity counts as.
    public var nagios: Severity {
        switch self {
        case .info: .ok
        case .unknown: .unknown
        case .warning: .warning
        case .critical: .critical
        }
    }

    public var label: String { rawValue.uppercased() }

    /// Worst first: critical, warning, unknown, info (the order of `Severity.worst`).
    public static func < (lhs: DoctorSeverity, rhs: DoctorSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One thing `haws doctor` found, with where it is and the line that fixes it.
public struct DoctorFinding: Sendable, Hashable {
    /// A rule of ``DoctorCatalogue`` (`haws doctor --explain CODE`).
    public var code: String
    public var severity: DoctorSeverity
    public var file: String?
    public var line: Int?
    /// `global`, `defaults`, `backend ws_chat`.
    public var section: String?
    /// The proxy's name, when the finding is about one.
    public var proxy: String?
    /// The live instance, for findings from the running HAProxy.
    public var instance: String?
    /// What is wrong and why it matters for WebSockets.
    public var message: String
    /// The line to write, and where.
    public var fix: String?

    public init(
        code: String, severity: DoctorSeverity, at location: ConfigLocation? = nil, section: String? = nil,
        proxy: String? = nil, instance: String? = nil, message: String, fix: String? = nil
    ) {
        self.code = code
        self.severity = severity
        self.file = location?.file
        self.line = location?.line
        self.section = section
        self.proxy = proxy
        self.instance = instance
        self.message = message
        self.fix = fix
    }

    /// Where it is, for people: `file:line  instance NAME  section` (the parts that are known), or empty.
    public var place: String {
        var parts: [String] = []
        if let file { parts.append(line.map { "\(file):\($0)" } ?? file) }
        if let instance { parts.append("instance \(instance)") }
        if let section { parts.append(section) }
        return parts.joined(separator: "  ")
    }

    /// Worst first, then in file order.
    public static func ordered(_ findings: [DoctorFinding]) -> [DoctorFinding] {
        findings.enumerated().sorted { a, b in
            if a.element.severity != b.element.severity { return a.element.severity > b.element.severity }
            let left = (a.element.file ?? "\u{10FFFF}", a.element.line ?? Int.max, a.offset)
            let right = (b.element.file ?? "\u{10FFFF}", b.element.line ?? Int.max, b.offset)
            return left < right
        }.map(\.element)
    }
}
