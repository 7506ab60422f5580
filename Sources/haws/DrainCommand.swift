import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsClient
import HawsConfig
import HawsCore

/// `haws drain B/S`: the drain-to-zero workflow of `haws top`, headless, for deploy scripts.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a server (set state drain) and optionally wait until its WebSocket tunnels reach zero.",
        discussion: """
            Sends `set server B/S state drain` to every configured instance that has the server, re-reads \
            the state to check it took effect, and appends each command to the audit log. With --wait, \
            prints progress (tunnels now vs at start, rate, ETA, newcomers) until no tunnel is left.
            Exit codes: 0 drained (or drain set, without --wait); 2 timeout with tunnels left; 3 errors \
            (unreachable, refused, no such server, bad arguments).
            """)

    @Argument(help: ArgumentHelp("The server, as BACKEND/SERVER.", valueName: "backend/server"))
    var server: String

    @OptionGroup var instance: InstanceOptions

    @Flag(help: "Wait until the server holds no tunnel.")
    var wait = false

    @Option(name: .customLong("timeout-wait"), help: ArgumentHelp("With --wait: give up after this long (exit 2).", valueName: "duration"))
    var waitTimeout: String = DrainFlags.defaultWaitTimeout

    @Option(help: ArgumentHelp("With --wait: when drained, switch the server to this state (only maint).", valueName: "state"))
    var then: String?

    @Option(help: ArgumentHelp(
        "With --wait: after this long with tunnels left, send `shutdown sessions server B/S` (explicit opt-in).",
        valueName: "duration"))
    var shutdownAfter: String?

    @Option(help: ArgumentHelp("With --wait: how often to read the server.", valueName: "duration"))
    var interval: String = DrainFlags.defaultInterval

    @Option(help: ArgumentHelp("NDJSON audit log of the commands sent.", valueName: "path"))
    var auditLog: String?

    func validate() throws {
        if let then, then != "maint" { throw ValidationError("--then only accepts maint, not '\(then)'") }
        if !wait, then != nil || shutdownAfter != nil { throw ValidationError("--then and --shutdown-after need --wait") }
        _ = try timingFlags.timing()
    }

    /// The timing flags as plain values, for HawsConfig.
    var timingFlags: DrainFlags {
        var flags = DrainFlags()
        flags.waitTimeout = waitTimeout
        flags.interval = interval
        flags.shutdownAfter = shutdownAfter
        return flags
    }

    func run() async throws {
        let reference: ServerReference
        do { reference = try ServerReference(parsing: server) } catch { throw ValidationError("\(error)") }
        let setup = try instance.configuration()
        let timeout = try setup.requestTimeout()
        let timing = try timingFlags.timing()
        let (limit, cadence, shutdownDeadline) = (timing.waitLimit, timing.interval, timing.shutdownAfter)
        let specs = try setup.instances().filter { $0.runtime != nil }
        guard !specs.isEmpty else {
            throw ValidationError("drain needs a runtime socket at level admin (--socket); a stats page cannot change state")
        }
        let environment = ProcessInfo.processInfo.environment
        let audit = AuditLog(path: auditLog ?? AuditLog.defaultPath(environment: environment))
        do { try audit.prepare() } catch { throw DrainFailure("audit log: \(error); refusing to act without it") }
        let user = TopCommand.currentUser(environment)
        let unaudited = UnauditedCount()
        defer {
            if unaudited.count > 0 {
                StandardError.write("haws: \(unaudited.count) command(s) sent but not in the audit log (records above)\n")
            }
        }

        // 1. Which instances have the server, and its state before.
        var targets: [(spec: InstanceSpec, before: Server)] = []
        for spec in specs {
            guard case .read(let snapshot) = await InstanceReader(spec: spec, timeout: timeout).readStats() else {
                throw DrainFailure("\(spec.name): unreachable; nothing was changed")
            }
            if let found = snapshot.backends.first(where: { $0.name == reference.backend.value })?.servers
                .first(where: { $0.name == reference.server.value })
            {
                targets.append((spec, found))
            }
        }
        guard !targets.isEmpty else { throw DrainFailure("no instance has a server \(reference)") }

        // 2. Drain, verify, audit.
        var trackers: [String: DrainTracker] = [:]
        for (spec, before) in targets {
            let command = RuntimeCommand.setState(reference, .drain)
            try await send(command, for: reference, to: spec, before: before, origin: "haws drain", audit: audit, user: user, timeout: timeout, unaudited: unaudited)
            let observed = await observe(reference, on: spec, timeout: timeout)
            let start = observed?.observation ?? DrainTracker.Observation(time: Date(), tunnels: before.sessions)
            trackers[spec.name] = DrainTracker(
                server: reference.key, start: start,
                options: .init(maintWhenEmpty: then == "maint", deadline: shutdownDeadline),
                upgradesBaseline: before.responses.informational)
            // Sessions stand for tunnels when no session list could be read (see InstanceSnapshot.drainCount).
            let countsSessions = observed?.countsSessions ?? true
            print("\(spec.name) \(reference): DRAIN set; \(start.tunnels) \(countsSessions ? "sessions (no session list read: followed until zero)" : "tunnels")")
        }
        guard wait else {
            if unaudited.count > 0 { throw ExitCode(3) }
            return
        }

        // 3. Wait for zero.
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while true {
            var remaining = 0
            for (spec, _) in targets {
                guard var tracker = trackers[spec.name] else { continue }
                if let observed = await observe(reference, on: spec, timeout: timeout) { tracker.observe(observed.observation) }
                switch tracker.nextStep(at: Date()) {
                case .switchToMaint:
                    let before = await currentServer(reference, on: spec, timeout: timeout)
                    try await send(RuntimeCommand.setState(reference, .maint), for: reference, to: spec, before: before, origin: "auto-maint at zero tunnels", audit: audit, user: user, timeout: timeout, unaudited: unaudited)
                    tracker.markMaintRequested()
                    print("\(spec.name) \(reference): no tunnel left, MAINT set")
                case .offerShutdown(let left):
                    let before = await currentServer(reference, on: spec, timeout: timeout)
                    print("\(spec.name) \(reference): --shutdown-after reached with \(left) tunnels: shutting down sessions")
                    try await send(RuntimeCommand.shutdownSessions(reference), for: reference, to: spec, before: before, origin: "drain --shutdown-after", audit: audit, user: user, timeout: timeout, unaudited: unaudited)
                    tracker.markShutdownOffered()
                case .drained, .wait:
                    break
                }
                trackers[spec.name] = tracker
                remaining += tracker.tunnels
                print(Self.progress(spec.name, reference, tracker))
            }
            if remaining == 0, trackers.values.allSatisfy({ $0.nextStep(at: Date()) == .drained }) {
                print("\(reference): drained")
                if unaudited.count > 0 { throw ExitCode(3) }
                return
            }
            if clock.now >= deadline {
                StandardError.write("haws: \(reference): \(remaining) tunnels left after \(waitTimeout)\n")
                throw ExitCode(2)
            }
            try await Task.sleep(for: cadence)
        }
    }

    /// One progress line: `edge-1 ws_chat/s1 DRAIN 12 tunnels (25 at start, 13 closed, 2 new) 0.8/s ETA 15s`.
    static func progress(_ instance: String, _ reference: ServerReference, _ tracker: DrainTracker) -> String {
        var parts = ["\(instance) \(reference): \(tracker.tunnels) tunnels (\(tracker.tunnelsAtStart) at start, \(tracker.closedSinceStart) closed"]
        if let arrived = tracker.arrivedSinceStart { parts[0] += ", \(arrived) new" }
        parts[0] += ")"
        if let rate = tracker.decreasePerSecond { parts.append(String(printf: "%.1f/s", rate + 0.0)) }  // no "-0.0"
        if let eta = tracker.etaSeconds { parts.append("ETA \(StatusTableRenderer.duration(Int(eta.rounded(.up))))") }
        return parts.joined(separator: " ")
    }

    /// Tunnels now (``InstanceSnapshot/drainCount(of:)``: exact, or from the session list, otherwise its sessions)
    /// and upgrades so far.
    func observe(
        _ reference: ServerReference, on spec: InstanceSpec, timeout: Duration
    ) async -> (observation: DrainTracker.Observation, countsSessions: Bool)? {
        guard case .read(let snapshot) = await InstanceReader(spec: spec, timeout: timeout).read(),
            let server = snapshot.backends.first(where: { $0.name == reference.backend.value })?.servers
                .first(where: { $0.name == reference.server.value })
        else { return nil }
        let count = snapshot.drainCount(of: server)
        let observation = DrainTracker.Observation(
            time: Date(), tunnels: count.value, upgradesTotal: server.responses.informational)
        return (observation, count.countsSessions)
    }

    func currentServer(_ reference: ServerReference, on spec: InstanceSpec, timeout: Duration) async -> Server? {
        guard case .read(let snapshot) = await InstanceReader(spec: spec, timeout: timeout).readStats() else { return nil }
        return snapshot.backends.first { $0.name == reference.backend.value }?.servers.first { $0.name == reference.server.value }
    }

    /// Counts the commands sent whose audit record could not be written (each printed on stderr instead).
    final class UnauditedCount: @unchecked Sendable {
        // Only touched by the drain's own sequential task.
        var count = 0
    }

    /// Sends one command, re-reads the state, and writes the audit line (or, when the log cannot take it, the
    /// record on stderr, counted in `unaudited`); throws with HAProxy's own words.
    func send(
        _ command: RuntimeCommand, for reference: ServerReference, to spec: InstanceSpec, before: Server?, origin: String, audit: AuditLog, user: String,
        timeout: Duration, unaudited: UnauditedCount
    ) async throws {
        guard let endpoint = spec.runtime else { throw DrainFailure("\(spec.name) has no runtime socket") }
        var result = "took effect"
        var failure: String?
        do {
            let answer = try await RuntimeAPIClient(endpoint: endpoint, timeout: timeout).send(command.text)
            if let message = RuntimeAPIResponse.errorMessage(of: answer) { failure = message }
        } catch {
            failure = String(describing: error)
        }
        let after = await currentServer(reference, on: spec, timeout: timeout)
        if let failure { result = "failed: \(failure)" }
        let record = AuditRecord(
            time: Date(), user: user, instance: spec.name, object: reference.description,
            command: command.text, stateBefore: before?.status.raw, stateAfter: after?.status.raw, result: result,
            origin: origin)
        do {
            try audit.append([record])
        } catch {
            // The command was sent: stopping now would leave the server half-handled. The record goes to stderr
            // whole, so nothing is lost, and the run ends with exit 3 (see `unauditedRecords`).
            StandardError.write(
                "haws: audit log: \(error); '\(command.text)' was sent to \(spec.name) (\(result)), record: "
                    + record.jsonLine() + "\n")
            unaudited.count += 1
        }
        if let failure { throw DrainFailure("\(spec.name): '\(command.text)' failed: \(failure)") }
    }
}

/// A drain that could not proceed: one line, exit 3.
struct DrainFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
