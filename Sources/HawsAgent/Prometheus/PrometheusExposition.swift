/// Builds a Prometheus text exposition (format 0.0.4) from samples added in any order.
///
/// Samples are grouped by ``MetricFamily`` and written family by family in the enum's order, each with its
/// `# HELP` and `# TYPE` once, as the format requires (a family's samples must be contiguous). A family
/// with no sample is left out. Label values are escaped (`\`, `"`, newline); values are written in the
/// shortest exact form, with `NaN`, `+Inf` and `-Inf` spelled as Prometheus expects.
///
/// Adding a family: a case in ``MetricFamily``, then `add` or `addHistogram` calls where its data is.
public struct PrometheusExposition: Sendable {
    public typealias Labels = [(name: String, value: String)]

    private var lines: [MetricFamily: [String]] = [:]

    public init() {}

    /// Adds one sample of a gauge or counter.
    public mutating func add(_ family: MetricFamily, _ labels: Labels = [], _ value: Double) {
        precondition(family.kind != .histogram, "\(family.name) is a histogram: use addHistogram")
        lines[family, default: []].append(Self.sample(family.name, labels, value))
    }

    public mutating func add(_ family: MetricFamily, _ labels: Labels = [], _ value: Int) {
        add(family, labels, Double(value))
    }

    /// Adds the `_bucket`, `_sum` and `_count` samples of one histogram series.
    public mutating func addHistogram(_ family: MetricFamily, _ labels: Labels = [], _ histogram: BucketHistogram) {
        precondition(family.kind == .histogram, "\(family.name) is a \(family.kind.rawValue), not a histogram")
        var samples: [String] = []
        for bucket in histogram.cumulativeBuckets {
            samples.append(
                Self.sample(
                    family.name + "_bucket", labels + [("le", Self.format(bucket.upperBound))], Double(bucket.count)))
        }
        samples.append(Self.sample(family.name + "_sum", labels, histogram.sum))
        samples.append(Self.sample(family.name + "_count", labels, Double(histogram.count)))
        lines[family, default: []].append(contentsOf: samples)
    }

    /// Whether any sample of `family` was added.
    public func contains(_ family: MetricFamily) -> Bool { lines[family] != nil }

    /// The exposition text.
    public func render() -> String {
        var text = ""
        text.reserveCapacity(lines.values.reduce(0) { $0 + $1.count } * 96)
        for family in MetricFamily.allCases {
            guard let samples = lines[family] else { continue }
            text += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in samples {
                text += sample
                text += "\n"
            }
        }
        return text
    }

    /// The `Content-Type` of the text format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    // MARK: Formatting

    static func sample(_ name: String, _ labels: Labels, _ value: Double) -> String {
        guard !labels.isEmpty else { return "\(name) \(format(value))" }
        let rendered = labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
        return "\(name){\(rendered)} \(format(value))"
    }

    /// `1`, `0.25`, `1e-05`, `NaN`, `+Inf`: integers without a fraction, others in Swift's shortest
    /// round-trip form, which Prometheus' Go parser reads back exactly.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0.isNewline }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n", "\r\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `# HELP` text escapes only backslash and newline.
    static func escapeHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }
}
