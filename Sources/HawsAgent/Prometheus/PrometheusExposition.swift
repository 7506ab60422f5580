import HawsCore
import NIOCore

/// Builds a Prometheus text exposition (format 0.0.4) from samples added in any order.
///
/// Samples are grouped by ``MetricFamily`` and written family by family in the enum's order, each with its
/// `# HELP` and `# TYPE` once, as the format requires (a family's samples must be contiguous). A family
/// with no sample is left out. Label values are escaped (`\`, `"`, newline); values are written in the
/// shortest exact form, with `NaN`, `+Inf` and `-Inf` spelled as Prometheus expects.
///
/// Samples go straight into one byte buffer per family: at 10,000 servers a scrape is about 180,000
/// samples and 16 MB, and building a `String` per sample was most of the agent's CPU. Bulk writers
/// (``withFamily(_:reservingCapacity:_:)``) render each server's labels once (``LabelSet``) and reuse them
/// for every family; the HTTP handler sends the family buffers as they are (``buffers``), without joining
/// them into one copy.
///
/// Adding a family: a case in ``MetricFamily``, then `add` or `addHistogram` calls where its data is.
public struct PrometheusExposition: Sendable {
    public typealias Labels = [(name: String, value: String)]

    /// One byte buffer per family, in ``MetricFamily/allCases`` order; `nil` until a sample is added.
    private var sections: [ByteBuffer?] = Array(repeating: nil, count: MetricFamily.allCases.count)
    private static let allocator = ByteBufferAllocator()

    public init() {}

    /// Adds one sample of a gauge or counter.
    public mutating func add(_ family: MetricFamily, _ labels: Labels = [], _ value: Double) {
        withFamily(family) { $0.sample(LabelSet(labels), value) }
    }

    public mutating func add(_ family: MetricFamily, _ labels: Labels = [], _ value: Int) {
        withFamily(family) { $0.sample(LabelSet(labels), value) }
    }

    /// Adds the `_bucket`, `_sum` and `_count` samples of one histogram series.
    public mutating func addHistogram(_ family: MetricFamily, _ labels: Labels = [], _ histogram: BucketHistogram) {
        withFamily(family) { $0.histogram(LabelSet(labels), histogram) }
    }

    /// Gives `body` the family's buffer to add many samples at once (every server's series of one family).
    ///
    /// - Parameter reservingCapacity: bytes the samples will take, when the caller can tell: the buffer is
    ///   sized once instead of doubling (and copying) its way up to megabytes.
    public mutating func withFamily(
        _ family: MetricFamily, reservingCapacity: Int = 0, _ body: (inout SampleWriter) -> Void
    ) {
        let index = Self.position[family]!
        var writer = SampleWriter(
            family: family, buffer: sections[index] ?? ExpositionBufferPool.shared.take(capacity: max(reservingCapacity, 256)))
        sections[index] = nil  // the writer owns the only reference: writes never copy
        writer.buffer.reserveCapacity(minimumWritableBytes: reservingCapacity)
        body(&writer)
        if writer.buffer.readableBytes > 0 { sections[index] = writer.buffer }
    }

    /// Whether any sample of `family` was added.
    public func contains(_ family: MetricFamily) -> Bool { sections[Self.position[family]!] != nil }

    /// The size in bytes of ``bytes``.
    public var byteCount: Int { buffers.reduce(0) { $0 + $1.readableBytes } }

    /// The exposition as buffers to send one after the other: each family's `# HELP`/`# TYPE` lines, then
    /// its samples (shared, not copied).
    public var buffers: [ByteBuffer] {
        var out: [ByteBuffer] = []
        for (family, samples) in zip(MetricFamily.allCases, sections) {
            guard let samples else { continue }
            out.append(Self.allocator.buffer(bytes: Self.preamble(family)))
            out.append(samples)
        }
        return out
    }

    /// Hands over the families written so far (as ``buffers``) and forgets them: a streaming writer sends
    /// them and goes on with other families.
    public mutating func drain() -> [ByteBuffer] {
        defer { sections = Array(repeating: nil, count: sections.count) }
        return buffers
    }

    /// Writes the exposition through `sink`, family by family, without joining it into one buffer first.
    public func write(_ sink: (UnsafeRawBufferPointer) -> Void) {
        for buffer in buffers {
            buffer.withUnsafeReadableBytes(sink)
        }
    }

    /// The exposition as bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        write { out.append(contentsOf: $0) }
        return out
    }

    /// The exposition text.
    public func render() -> String { String(decoding: bytes, as: UTF8.self) }

    /// The `Content-Type` of the text format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private static let position: [MetricFamily: Int] = Dictionary(
        uniqueKeysWithValues: MetricFamily.allCases.enumerated().map { ($1, $0) })

    /// `# HELP` and `# TYPE` of a family.
    private static func preamble(_ family: MetricFamily) -> [UInt8] {
        Array("# HELP \(family.name) \(escapeHelp(family.help))\n# TYPE \(family.name) \(family.kind.rawValue)\n".utf8)
    }

    // MARK: Formatting

    /// `1`, `0.25`, `1e-05`, `NaN`, `+Inf`: integers without a fraction, others in Swift's shortest
    /// round-trip form, which Prometheus' Go parser reads back exactly.
    static func format(_ value: Double) -> String {
        var bytes: [UInt8] = []
        SampleWriter.appendValue(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `# HELP` text escapes only backslash and newline.
    static func escapeHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }
}

/// Label pairs rendered once as `name="value",...` (escaped), to be reused by every sample of an object.
public struct LabelSet: Sendable, Hashable {
    /// The rendered pairs without braces; empty for no labels.
    public private(set) var rendered: [UInt8]

    public init(_ labels: PrometheusExposition.Labels = []) {
        rendered = []
        for label in labels { append(label.name, label.value) }
    }

    /// Adds one pair after the existing ones.
    public mutating func append(_ name: String, _ value: String) {
        if !rendered.isEmpty { rendered.append(UInt8(ascii: ",")) }
        rendered.appendUTF8(name)
        rendered.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "\"")])
        Self.appendEscaped(value, to: &rendered)
        rendered.append(UInt8(ascii: "\""))
    }

    /// These pairs followed by one more.
    public func appending(_ name: String, _ value: String) -> LabelSet {
        var copy = self
        copy.append(name, value)
        return copy
    }

    /// A label value escaped as the text format requires: `\\`, `\"` and `\n` (a `\r\n` counts as one newline).
    static func appendEscaped(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            if utf8.isPlainText { return bytes.append(contentsOf: utf8) }
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                switch byte {
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r") where index + 1 < utf8.count && utf8[index + 1] == UInt8(ascii: "\n"):
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                    index += 1
                default: bytes.append(byte)
                }
                index += 1
            }
        }
    }
}

/// Appends samples of one family to its buffer (see ``PrometheusExposition/withFamily(_:reservingCapacity:_:)``).
///
/// Each sample is written with one capacity check and plain memory copies: per-append bookkeeping over
/// 180,000 samples was most of a scrape.
public struct SampleWriter {
    public let family: MetricFamily
    fileprivate var buffer: ByteBuffer
    private let name: [UInt8]

    fileprivate init(family: MetricFamily, buffer: ByteBuffer) {
        self.family = family
        self.buffer = buffer
        self.name = Array(family.name.utf8)
    }

    /// One gauge or counter sample; `extra` adds pairs after `labels` (a `state="up"` of a state set).
    public mutating func sample(_ labels: LabelSet, extra: LabelSet? = nil, _ value: Int) {
        precondition(family.kind != .histogram, "\(family.name) is a histogram: use histogram(_:_:)")
        write(suffix: [], labels.rendered, extra?.rendered ?? [], value: value)
    }

    public mutating func sample(_ labels: LabelSet, extra: LabelSet? = nil, _ value: Double) {
        precondition(family.kind != .histogram, "\(family.name) is a histogram: use histogram(_:_:)")
        write(suffix: [], labels.rendered, extra?.rendered ?? [], value: value)
    }

    /// The `_bucket`, `_sum` and `_count` samples of one histogram series.
    public mutating func histogram(_ labels: LabelSet, _ histogram: BucketHistogram) {
        precondition(family.kind == .histogram, "\(family.name) is a \(family.kind.rawValue), not a histogram")
        for bucket in histogram.cumulativeBuckets {
            var le = LabelSet()
            le.append("le", PrometheusExposition.format(bucket.upperBound))
            write(suffix: Array("_bucket".utf8), labels.rendered, le.rendered, value: bucket.count)
        }
        write(suffix: Array("_sum".utf8), labels.rendered, [], value: histogram.sum)
        write(suffix: Array("_count".utf8), labels.rendered, [], value: histogram.count)
    }

    private mutating func write(suffix: [UInt8], _ labels: [UInt8], _ extra: [UInt8], value: Double) {
        if value == value.rounded(), abs(value) < 1e15 { return write(suffix: suffix, labels, extra, value: Int(value)) }
        var text: [UInt8] = []
        Self.appendValue(value, to: &text)
        write(suffix: suffix, labels, extra, text: text)
    }

    /// `name_suffix{labels,extra} value\n` with one capacity check.
    private mutating func write(suffix: [UInt8], _ labels: [UInt8], _ extra: [UInt8], value: Int) {
        let needed = name.count + suffix.count + labels.count + extra.count + 4 + 21 + 1
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: needed) { raw in
            var at = Self.head(into: raw, name, suffix, labels, extra)
            at += DecimalText.write(value, to: raw.baseAddress! + at)
            raw[at] = UInt8(ascii: "\n")
            return at + 1
        }
    }

    private mutating func write(suffix: [UInt8], _ labels: [UInt8], _ extra: [UInt8], text: [UInt8]) {
        let needed = name.count + suffix.count + labels.count + extra.count + 4 + text.count + 1
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: needed) { raw in
            var at = Self.head(into: raw, name, suffix, labels, extra)
            at = Self.copy(text, into: raw, at: at)
            raw[at] = UInt8(ascii: "\n")
            return at + 1
        }
    }

    /// `name_suffix{labels,extra} ` (the braces only when there are labels); returns the next offset.
    @inline(__always)
    private static func head(
        into raw: UnsafeMutableRawBufferPointer, _ name: [UInt8], _ suffix: [UInt8], _ labels: [UInt8], _ extra: [UInt8]
    ) -> Int {
        var at = copy(name, into: raw, at: 0)
        at = copy(suffix, into: raw, at: at)
        if !labels.isEmpty || !extra.isEmpty {
            raw[at] = UInt8(ascii: "{")
            at = copy(labels, into: raw, at: at + 1)
            if !labels.isEmpty && !extra.isEmpty {
                raw[at] = UInt8(ascii: ",")
                at += 1
            }
            at = copy(extra, into: raw, at: at)
            raw[at] = UInt8(ascii: "}")
            at += 1
        }
        raw[at] = UInt8(ascii: " ")
        return at + 1
    }

    @inline(__always)
    private static func copy(_ bytes: [UInt8], into raw: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        guard !bytes.isEmpty else { return offset }
        bytes.withUnsafeBytes { source in
            (raw.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
        }
        return offset + bytes.count
    }

    static func appendValue(_ value: Double, to bytes: inout [UInt8]) {
        if value.isNaN { return bytes.appendUTF8("NaN" as StaticString) }
        if value == .infinity { return bytes.appendUTF8("+Inf" as StaticString) }
        if value == -.infinity { return bytes.appendUTF8("-Inf" as StaticString) }
        bytes.appendNumber(value)
    }
}
