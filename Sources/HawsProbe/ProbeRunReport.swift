#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// The outcome of a one-off `haws probe` run: per URL the verdict, phase timings (or their percentiles over
/// `--count` probes) and failures, plus the throughput of the run. Pure: built from results, rendered as a table or
/// as one JSON document (schema `haws.probe/1`).
public struct ProbeRunReport: Sendable, Encodable {
    /// One URL of the run.
    public struct Target: Sendable, Encodable {
        public var url: String
        public var probes: Int
        public var passed: Int
        public var failed: Int
        /// Failed probes by ``ProbeFailure/code``.
        public var failures: [String: Int]
        /// Percentiles per phase that ran (`connect`, `tls`, `upgrade`, `ping`, `message`, `close`), and `total`
        /// (of passed probes only).
        public var latency: [String: LatencySummary]
        /// One full result: the first failure if any probe failed, else the last result.
        public var result: ProbeResult
    }

    public var schema = "haws.probe/1"
    /// Whether every probe passed.
    public var passed: Bool
    /// 0 when every probe passed, 2 otherwise.
    public var exitCode: Int
    public var mode: String
    /// Probes per URL.
    public var count: Int
    /// Probes in flight at once.
    public var concurrency: Int
    /// Wall time of the whole run.
    public var wallMs: Double
    /// Probes completed per second of wall time (all URLs together).
    public var handshakesPerSecond: Double
    public var targets: [Target]

    /// - Parameters:
    ///   - results: every result, in any order; grouped by URL in the order of `urls`.
    ///   - urls: the URLs as given on the command line (their ``ProbeTarget/url``).
    public init(
        results: [ProbeResult],
        urls: [String],
        mode: ProbeOptions.Mode,
        count: Int,
        concurrency: Int,
        wall: Duration
    ) {
        let grouped = Dictionary(grouping: results, by: \.target.url)
        var targets: [Target] = []
        var seen = Set<String>()
        for url in urls where seen.insert(url).inserted {
            guard let results = grouped[url], let last = results.last else {
                continue
            }
            // One window covering the whole run: percentiles of everything recorded.
            let instant = ContinuousClock.now
            var statistics = ProbeStatistics(window: .seconds(7 * 24 * 3600), slices: 1, origin: instant)
            for result in results {
                statistics.record(result, at: instant)
            }
            let figures = statistics.statistics(for: url, at: instant)
            var latency: [String: LatencySummary] = [:]
            for (phase, summary) in figures?.phases ?? [:] {
                latency[phase.rawValue] = summary
            }
            if let total = figures?.total, !total.isEmpty {
                latency["total"] = total
            }
            targets.append(
                Target(
                    url: url,
                    probes: results.count,
                    passed: figures?.passed ?? 0,
                    failed: figures?.failed ?? 0,
                    failures: figures?.failures ?? [:],
                    latency: latency,
                    result: results.first { !$0.passed } ?? last
                )
            )
        }
        self.targets = targets
        self.passed = !results.isEmpty && results.allSatisfy(\.passed)
        self.exitCode = self.passed ? 0 : 2
        self.mode = mode.name
        self.count = count
        self.concurrency = concurrency
        self.wallMs = (wall.milliseconds * 1_000).rounded() / 1_000
        let rate = wall > .zero ? Double(results.count) / (wall.milliseconds / 1_000) : 0
        self.handshakesPerSecond = (rate * 10).rounded() / 10
    }

    /// The document `haws probe --json` prints: snake_case keys, sorted, explicit nulls.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.rfc3339(date))
        }
        // Encoding plain value types cannot fail; an empty object would still be valid JSON.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func rfc3339(_ date: Date) -> String { RFC3339.string(date) }

    // MARK: - Table

    /// The human rendering: one row per URL with its phase timings (one probe each), or percentiles per URL
    /// (`--count`); failures on their own line with what to do; a last line with the verdict.
    public func table() -> String {
        var lines: [String] = []
        if self.count <= 1 {
            lines += self.singleTable()
        } else {
            for target in self.targets {
                lines += self.profile(target)
            }
            let seconds = self.wallMs / 1_000
            lines.append(
                "\(self.targets.reduce(0) { $0 + $1.probes }) probes (\(self.mode)), \(self.concurrency) in flight, "
                    + "\(Self.number(seconds, decimals: 2)) s: \(Self.number(self.handshakesPerSecond, decimals: 0)) "
                    + "handshakes/s"
            )
        }
        let total = self.targets.reduce(0) { $0 + $1.probes }
        let failed = self.targets.reduce(0) { $0 + $1.failed }
        if self.passed {
            lines.append("HAWS PROBE OK - \(total)/\(total) probes passed")
        } else {
            var codes: [String: Int] = [:]
            for (code, count) in self.targets.flatMap(\.failures) {
                codes[code, default: 0] += count
            }
            lines.append("HAWS PROBE FAILED - \(failed) of \(total) probes failed (\(Self.list(codes)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static let phases: [ProbePhase] = [.resolve, .connect, .tls, .upgrade, .ping, .message, .close]

    private func singleTable() -> [String] {
        let shown = Self.phases.filter { phase in self.targets.contains { $0.result.timings[phase] != nil } }
        let urlWidth = max(24, (self.targets.map(\.url.count).max() ?? 0) + 2)
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }
        func right(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        var lines = [
            pad("URL", urlWidth) + pad("VERDICT", 8) + right("HTTP", 5)
                + shown.map { right($0.rawValue.uppercased(), 9) }.joined() + right("TOTAL", 9) + "  (ms)"
        ]
        for target in self.targets {
            let result = target.result
            let timings = result.timings
            lines.append(
                pad(target.url, urlWidth) + pad(result.passed ? "pass" : "FAIL", 8)
                    + right(result.httpStatus.map(String.init) ?? "-", 5)
                    + shown.map { phase in right(timings[phase].map { Self.ms($0) } ?? "-", 9) }.joined()
                    + right(Self.ms(timings.total), 9)
            )
            if let failure = result.failure {
                lines.append("  \(failure.code): \(failure.description)")
            }
        }
        return lines
    }

    private func profile(_ target: Target) -> [String] {
        var lines = ["\(target.url)  \(target.probes) probes: \(target.passed) passed, \(target.failed) failed"]
        let rows = Self.phases.map(\.rawValue).filter { target.latency[$0] != nil } + ["total"]
        lines.append("  PHASE         p50      p95      p99      max  (ms)")
        for name in rows {
            guard let summary = target.latency[name] else {
                continue
            }
            let cells = [summary.p50, summary.p95, summary.p99, summary.max].map { value in
                let text = Self.ms(value)
                return String(repeating: " ", count: max(0, 9 - text.count)) + text
            }
            lines.append("  " + name + String(repeating: " ", count: max(1, 8 - name.count)) + cells.joined())
        }
        if !target.failures.isEmpty {
            lines.append("  failures: \(Self.list(target.failures))")
            if let failure = target.result.failure {
                lines.append("  first: \(failure.description)")
            }
        }
        return lines
    }

    /// `bad_accept 3, timeout 1`: most frequent first.
    static func list(_ counts: [String: Int]) -> String {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map { "\($0.key) \($0.value)" }
            .joined(separator: ", ")
    }

    /// Milliseconds with two decimals below 100 ms.
    static func ms(_ duration: Duration) -> String {
        let value = duration.milliseconds
        return Self.number(value, decimals: value < 100 ? 2 : 0)
    }

    static func number(_ value: Double, decimals: Int) -> String {
        String(printf: "%.\(decimals)f", value)
    }
}
