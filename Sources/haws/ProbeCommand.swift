import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsClient
import HawsConfig
import HawsCore
import HawsProbe

/// `haws probe URL...`: a real RFC 6455 handshake (and, in full mode, ping/pong and close) against each URL, the
/// verdict and where the time went; with `--count`, a quick latency profile.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe WebSocket URLs with a real RFC 6455 handshake; print the verdict and phase timings.",
        discussion: """
            Full mode (the default) connects, checks the 101 and Sec-WebSocket-Accept, exchanges a ping/pong \
            (and --message), and closes cleanly; connect-only stops at a verified 101. Exit codes: 0 when every \
            probe passed, 2 otherwise, 3 for bad arguments. With --count N each URL is probed N times, \
            --concurrency at a time, and p50/p95/p99 per phase and handshakes/s are printed.
            """)

    @Argument(help: ArgumentHelp("ws:// or wss:// URLs, e.g. ws://127.0.0.1:8080/chat.", valueName: "url"))
    var urls: [String] = []

    @Flag(help: "Print one JSON document (schema haws.probe/1) instead of the table.")
    var json = false

    @Option(help: ArgumentHelp("Deadline of each whole probe, in seconds (or 500ms, 2s).", valueName: "seconds"))
    var timeout: String = "5"

    @Option(help: ArgumentHelp("Probes per URL (a latency profile when more than 1).", valueName: "n"))
    var count: Int = 1

    @Option(help: ArgumentHelp("Probes in flight at once.", valueName: "c"))
    var concurrency: Int = Prober.defaultConcurrency

    @Option(help: ArgumentHelp("full or connect-only.", valueName: "mode"))
    var mode: ModeArgument = ModeArgument(.full)

    @Option(
        name: .customLong("subprotocol"),
        help: ArgumentHelp("Offer this subprotocol (repeatable).", valueName: "name")
    )
    var subprotocols: [String] = []

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp("Extra request header 'Name: value' (repeatable).", valueName: "header")
    )
    var headers: [String] = []

    @Option(help: ArgumentHelp("Origin header to send.", valueName: "origin"))
    var origin: String?

    @Option(help: ArgumentHelp("Host header (and TLS SNI name) instead of the URL's host.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("CA bundle (PEM) to verify wss:// servers.", valueName: "path"))
    var caFile: String?

    @Option(help: ArgumentHelp("Client certificate chain (PEM) for mutual TLS; needs --key.", valueName: "path"))
    var cert: String?

    @Option(help: ArgumentHelp("Private key (PEM) of --cert.", valueName: "path"))
    var key: String?

    @Flag(help: "Do not verify wss:// certificates (hides exactly the expiry a probe should catch).")
    var insecure = false

    @Option(help: ArgumentHelp("Text message to send after the pong (full mode).", valueName: "text"))
    var message: String?

    @Option(help: ArgumentHelp("Regular expression the reply to --message must match.", valueName: "regex"))
    var expect: String?

    func validate() throws {
        guard !self.urls.isEmpty else {
            throw ValidationError("give at least one ws:// or wss:// URL, e.g. haws probe ws://127.0.0.1:8080/chat")
        }
        guard (1...1_000_000).contains(self.count) else {
            throw ValidationError("--count: must be from 1 to 1000000, not \(self.count)")
        }
        guard (1...10_000).contains(self.concurrency) else {
            throw ValidationError("--concurrency: must be from 1 to 10000, not \(self.concurrency)")
        }
        _ = try self.options()
        _ = try self.targets()
    }

    func run() async throws {
        let options = try self.options()
        let targets = try self.targets()
        let work = targets.flatMap { Array(repeating: $0, count: self.count) }
        let prober = Prober.singleLoop()
        let clock = ContinuousClock()
        let started = clock.now
        // No jitter: a one-off run starts at once (jitter protects HAProxy from lock-step rounds, not needed here).
        let results = await prober.probeAll(work, options: options, concurrency: self.concurrency, jitter: .zero)
        let report = ProbeRunReport(
            results: results,
            urls: targets.map(\.url),
            mode: options.mode,
            count: self.count,
            concurrency: min(self.concurrency, work.count),
            wall: clock.now - started
        )
        print(self.json ? report.json() : report.table(), terminator: self.json ? "\n" : "")
        throw ExitCode(Int32(report.exitCode))
    }

    func options() throws -> ProbeOptions {
        let deadline = try Self.seconds(self.timeout, flag: "--timeout")
        if (self.cert == nil) != (self.key == nil) {
            throw ValidationError("--cert and --key go together (a client certificate and its key)")
        }
        if self.expect != nil, self.message == nil {
            throw ValidationError("--expect needs --message: the text whose reply it checks")
        }
        var message: ProbeMessage?
        if let text = self.message {
            do {
                message = try ProbeMessage(text: text, expectedReply: self.expect ?? "")
            } catch {
                throw ValidationError("--expect: \(error)")
            }
        }
        let tls = TLSProfile(caFile: self.caFile, certificateFile: self.cert, privateKeyFile: self.key, insecure: self.insecure)
        do throws(ProbeFailure) {
            try tls.validate()
        } catch {
            // A file that cannot be loaded is a bad argument (exit 3), not a failed probe (exit 2).
            guard case .tls(let reason) = error else { throw ValidationError("\(error)") }
            throw ValidationError(reason)
        }
        return ProbeOptions(mode: self.mode.mode, timeouts: .all(deadline), tls: tls, message: message)
    }

    func targets() throws -> [ProbeTarget] {
        var headers: [ProbeHeader] = []
        for line in self.headers {
            guard let header = ProbesConfig.header(line) else {
                throw ValidationError("--header '\(line)' is not 'Name: value'")
            }
            headers.append(ProbeHeader(name: header.name, value: header.value))
        }
        return try self.urls.map { url in
            var target: ProbeTarget
            do throws(ProbeTargetError) {
                target = try ProbeTarget(url: url)
            } catch {
                throw ValidationError("\(url): \(error.reason)")
            }
            target.hostHeader = self.host
            target.serverName = self.host.map(BackendProbeSettings.serverName(forHostHeader:))
            target.origin = self.origin
            target.subprotocols = self.subprotocols
            target.headers = headers
            do throws(ProbeTargetError) {
                try target.validate()
            } catch {
                throw ValidationError("\(url): \(error.reason)")
            }
            return target
        }
    }

    /// `5`, `2.5` (seconds) or a duration with a unit (`500ms`, `2s`).
    static func seconds(_ text: String, flag: String) throws -> Duration {
        if let seconds = Double(text), seconds > 0, seconds <= 3_600 {
            return .milliseconds(Int64((seconds * 1_000).rounded()))
        }
        if Double(text) != nil {
            throw ValidationError("\(flag): must be more than 0 and at most 3600 seconds, not '\(text)'")
        }
        do {
            let duration = try DurationParser.parse(text)
            guard duration > .zero else {
                throw ValidationError("\(flag): must be more than 0, e.g. 2s or 500ms, not '\(text)'")
            }
            return duration
        } catch let error as DurationParseError {
            throw ValidationError("\(flag): \(error)")
        }
    }
}

/// `full` or `connect-only` on the command line.
struct ModeArgument: ExpressibleByArgument, Sendable {
    let mode: ProbeOptions.Mode

    init(_ mode: ProbeOptions.Mode) { self.mode = mode }

    init?(argument: String) {
        guard let mode = ProbeOptions.Mode(name: argument) else { return nil }
        self.mode = mode
    }

    var defaultValueDescription: String { self.mode.name }
    static var allValueStrings: [String] { ProbeOptions.Mode.names }
}
