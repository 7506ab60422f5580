import HawsCore

/// Reads one HAProxy instance into the typed model, through whatever the ``InstanceSpec`` offers.
///
/// - With a runtime socket: `show info`, `show stat` (and `show servers state` when the CSV hides
///   addresses, as at `level user`) on separate short connections, in parallel.
/// - With only a master socket: the same commands forwarded to the current worker with `@1`.
/// - With only a stats page: the CSV, no `show info` (no pid, uptime or maxconn).
/// Tunnels: `show sess all` on the worker, and with a master socket on every old worker
/// (`show proc`, then `@!<pid> show sess all`), so tunnels held after a reload still count.
///
/// Never throws: a failure becomes ``InstanceReading/unreachable(instance:error:)`` with one line.
public struct InstanceReader: Sendable {
    public let spec: InstanceSpec
    public let timeout: Duration
    /// The `show stat` answers' size and spare buffer, shared by copies of this reader: the next answer is
    /// collected into one array of about that size (2 MB at 10,000 servers), without growing or joining,
    /// and into the buffer of an answer no snapshot uses any more when there is one.
    let statBuffers: AnswerBufferPool
    /// The next `show sess all`'s expected size, from the last stats poll and the last dump: its deadline and,
    /// in a one-shot read, its pace are derived from it (``SessionDumpPace``).
    let dumpSizing: SessionDumpSizing
    /// When set, every call of this reader ends by then (a one-shot read's whole-read deadline).
    let deadline: ContinuousClock.Instant?

    public init(spec: InstanceSpec, timeout: Duration = .seconds(5)) {
        self.init(
            spec: spec, timeout: timeout, deadline: nil, statBuffers: AnswerBufferPool(), dumpSizing: SessionDumpSizing())
    }

    init(
        spec: InstanceSpec, timeout: Duration, deadline: ContinuousClock.Instant?, statBuffers: AnswerBufferPool,
        dumpSizing: SessionDumpSizing
    ) {
        self.spec = spec
        self.timeout = timeout
        self.deadline = deadline
        self.statBuffers = statBuffers
        self.dumpSizing = dumpSizing
    }

    /// Stats and tunnels together: the one-shot read of `haws status`, within one deadline.
    ///
    /// Counts come from the counters whenever they are exact (see ``BackendTunnelBasis``); `show sess all` is
    /// read only when some server's count is left open by them, or for tunnel ages while the instance is
    /// small enough for the dump to be cheap (``agesDumpStreamLimit`` streams), or when asked
    /// (`withAges`). The whole read, dumps included, ends by `deadline` (default: ``timeout`` from now).
    public func read(withAges: Bool = false, deadline: ContinuousClock.Instant? = nil) async -> InstanceReading {
        let deadline = deadline ?? ContinuousClock.now.advanced(by: timeout)
        let bounded = InstanceReader(
            spec: spec, timeout: timeout, deadline: deadline, statBuffers: statBuffers, dumpSizing: dumpSizing)
        let stats = await bounded.readStats()
        guard case .read(var snapshot) = stats else { return stats }
        guard spec.runtime != nil || spec.master != nil else {
            snapshot.serverTunnelsUnavailable = .noSocket
            return .read(snapshot)
        }
        let small = (snapshot.streamsAtLeast ?? Int.max) <= Self.agesDumpStreamLimit
        guard snapshot.needsSessionDump || withAges || small || spec.master != nil else {
            return .read(snapshot)
        }
        switch await bounded.readTunnels() {
        case .counted(let current, let old, let unread, _)?:
            snapshot.serverTunnels = current
            snapshot.oldWorkerTunnels = old
            snapshot.oldWorkersUnread = unread
        case .unavailable(let reason)?:
            snapshot.serverTunnelsUnavailable = reason
        case nil:
            snapshot.serverTunnelsUnavailable = .noSocket
        }
        return .read(snapshot)
    }

    /// Up to this many streams (``InstanceSnapshot/streamsAtLeast``: connections, or the backends' streams when
    /// HTTP/2 carries more), `haws status` reads `show sess all` for tunnel ages even when the counters give every
    /// count: about 70 ms of HAProxy time at 5,000 streams on 2.6.
    public static let agesDumpStreamLimit = 5_000

    /// The cheap poll: `show info` + `show stat`, or the stats page.
    public func readStats() async -> InstanceReading {
        do {
            if let worker = workerCommands, let workerBytes = workerBytes {
                let clock = ContinuousClock()
                let started = clock.now
                async let infoText = worker(.showInfo)
                let csv = try await workerBytes(.showStat)
                let statSeconds = (clock.now - started).seconds
                let info = try await infoText
                var costs = [
                    CommandCost(command: RuntimeCommand.showStat.text, seconds: statSeconds, bytes: csv.count),
                    CommandCost(command: RuntimeCommand.showInfo.text, seconds: (clock.now - started).seconds, bytes: info.utf8.count),
                ]
                let table = try StatsCSVParser.parse(bytes: csv, whenReleased: { [statBuffers] in statBuffers.give($0) })
                var snapshot = InstanceSnapshot(instance: spec.name, info: InfoParser.parse(info), stats: table)
                if table.backends.contains(where: { $0.servers.contains { $0.address == nil } }) {
                    // `level user` hides `addr`; `show servers state` still has it. Best effort.
                    let statesStarted = clock.now
                    if let states = try? await worker(.showServersState) {
                        costs.append(CommandCost(
                            command: RuntimeCommand.showServersState.text, seconds: (clock.now - statesStarted).seconds,
                            bytes: states.utf8.count))
                        let parsed = ServersStateParser.parse(states)
                        snapshot.serverStates = Dictionary(parsed.records.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                    }
                }
                snapshot.commandCosts = costs
                dumpSizing.counted(streams: snapshot.streamsAtLeast)
                return .read(snapshot)
            }
            if let page = spec.statsPage {
                let client = try StatsPageClient(spec: page, timeout: try callTimeout())
                let clock = ContinuousClock()
                let started = clock.now
                let csv = try await client.fetchCSV()
                let table = try StatsCSVParser.parse(csv)
                var snapshot = InstanceSnapshot(instance: spec.name, stats: table)
                snapshot.commandCosts = [CommandCost(command: "stats page CSV", seconds: (clock.now - started).seconds, bytes: csv.utf8.count)]
                return .read(snapshot)
            }
            return .unreachable(instance: spec.name, error: "nothing to read from")
        } catch {
            return .unreachable(instance: spec.name, error: Self.oneLine(error))
        }
    }

    /// The heavier poll: `show sess all` of the current worker and of old workers, scanned as it arrives at
    /// ``SessionDumpPace``'s rate; `nil` without a socket. Before anything is known of the instance's size, the
    /// stats are read first: the dump's deadline is derived from the streams they count.
    public func readTunnels() async -> TunnelReading? {
        guard let scan = workerScan else { return nil }
        if dumpSizing.isUnknown { _ = await readStats() }
        async let old = oldWorkerTunnels()
        do {
            let (scanner, cost) = try await scan(.showSessAll)
            dumpSizing.dumped(cost)
            let oldWorkers = await old
            return .counted(
                current: scanner.tallies, oldWorkers: oldWorkers.tallies, oldWorkersUnread: oldWorkers.unread,
                cost: cost + oldWorkers.cost)
        } catch let error as RuntimeAPIError where error.kind == .levelTooLow {
            _ = await old
            return .unavailable(.needsOperator)
        } catch {
            _ = await old
            return .unavailable(.failed(Self.oneLine(error)))
        }
    }

    /// Tunnels per server still held by old workers (master socket only; `nil` without one), the old workers
    /// (or `show proc`) that could not be read, so that a partial count is said to be partial, and what the
    /// dumps cost.
    func oldWorkerTunnels() async -> (tallies: [ServerKey: TunnelTally]?, unread: [String], cost: SessionDumpCost) {
        guard let master = spec.master else { return (nil, [], SessionDumpCost()) }
        let procText: String
        do {
            procText = try await RuntimeAPIClient(endpoint: master, timeout: try callTimeout()).send(RuntimeCommand.showProc.text)
        } catch {
            return ([:], ["show proc: \(Self.oneLine(error))"], SessionDumpCost())
        }
        let oldWorkers = ProcListParser.parse(procText).filter { $0.role == .worker && $0.isOld }
        var total: [ServerKey: TunnelTally] = [:]
        var unread: [String] = []
        var cost = SessionDumpCost()
        for worker in oldWorkers {
            let command = RuntimeCommand.onWorker(pid: worker.pid, .showSessAll)
            let dump: (SessionDumpScanner, SessionDumpCost)
            do {
                dump = try await scanDump(on: master, command: command.text)
            } catch {
                unread.append("old worker \(worker.pid): \(Self.oneLine(error))")
                continue
            }
            let scanner = dump.0
            cost = cost + dump.1
            for (key, tally) in scanner.tallies {
                total[key] = (total[key] ?? TunnelTally()) + tally
            }
        }
        return (total, unread, cost)
    }

    /// The timeout of the next call: ``timeout``, or what is left before ``deadline`` when there is one.
    /// - Throws: ``RuntimeAPIError`` `timeout` once the deadline has passed.
    private func callTimeout() throws -> Duration {
        guard let deadline else { return timeout }
        let left = deadline - ContinuousClock.now
        guard left > .milliseconds(1) else {
            throw ReadDeadlinePassed(instance: spec.name, timeout: timeout)
        }
        return min(timeout, left)
    }

    /// The worker's runtime API (its own socket, else the master CLI with `@1`), within the deadline.
    private func workerClient() throws -> (RuntimeAPIClient, prefix: String)? {
        if let runtime = spec.runtime {
            return (RuntimeAPIClient(endpoint: runtime, timeout: try callTimeout()), "")
        }
        if let master = spec.master {
            return (RuntimeAPIClient(endpoint: master, timeout: try callTimeout()), "@1 ")
        }
        return nil
    }

    /// Sends a read command to the worker: its own socket, else through the master CLI.
    private var workerCommands: (@Sendable (RuntimeCommand) async throws -> String)? {
        guard spec.runtime != nil || spec.master != nil else { return nil }
        return { command in
            guard let (client, prefix) = try workerClient() else { throw ReadDeadlinePassed(instance: spec.name, timeout: timeout) }
            return try await client.send(prefix + command.text)
        }
    }

    /// ``workerCommands`` for `show stat`: the answer as bytes, which its parser reads without a string.
    private var workerBytes: (@Sendable (RuntimeCommand) async throws -> [UInt8])? {
        guard spec.runtime != nil || spec.master != nil else { return nil }
        return { [statBuffers] command in
            guard let (client, prefix) = try workerClient() else { throw ReadDeadlinePassed(instance: spec.name, timeout: timeout) }
            let bytes = try await client.sendForBytes(prefix + command.text, into: statBuffers.take())
            statBuffers.answered(size: bytes.count)
            return bytes
        }
    }

    /// ``workerCommands`` for session lists: scanned as they arrive, with what the dump cost.
    private var workerScan: (@Sendable (RuntimeCommand) async throws -> (SessionDumpScanner, SessionDumpCost))? {
        let endpoint: RuntimeEndpoint
        let prefix: String
        if let runtime = spec.runtime {
            (endpoint, prefix) = (runtime, "")
        } else if let master = spec.master {
            (endpoint, prefix) = (master, "@1 ")
        } else {
            return nil
        }
        return { command in try await scanDump(on: endpoint, command: prefix + command.text) }
    }

    /// One session list read at ``SessionDumpPace``'s rate, within a deadline derived from its expected size
    /// (or, in a one-shot read, at the rate that fits it into what is left of the read's deadline), and what it
    /// cost: wall time, and HAProxy's time (``SessionDumpPace/haproxySeconds(wall:held:bytes:)``).
    private func scanDump(on endpoint: RuntimeEndpoint, command: String) async throws -> (SessionDumpScanner, SessionDumpCost) {
        let expected = dumpSizing.expectedBytes
        var pace = SessionDumpPace.standard
        let dumpTimeout: Duration
        if let deadline {
            let left = deadline - ContinuousClock.now
            guard left > .milliseconds(1) else { throw ReadDeadlinePassed(instance: spec.name, timeout: timeout) }
            pace = pace.fitting(expectedBytes: expected, within: left)
            dumpTimeout = left
        } else {
            dumpTimeout = pace.timeout(expectedBytes: expected, atLeast: timeout)
        }
        let record = ReadPaceRecord()
        let clock = ContinuousClock()
        let started = clock.now
        let scanner = try await RuntimeAPIClient(endpoint: endpoint, timeout: dumpTimeout)
            .scanSessions(command, pace: pace, record: record)
        let wall = clock.now - started
        return (scanner, SessionDumpCost(
            seconds: wall.seconds,
            haproxySeconds: SessionDumpPace.haproxySeconds(wall: wall, held: record.held, bytes: scanner.bytes),
            bytes: scanner.bytes, streams: scanner.streams))
    }

    static func oneLine(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

extension InstanceSource {
    /// The live source of one instance: the engine polls it through an ``InstanceReader``.
    public static func live(_ spec: InstanceSpec, timeout: Duration = .seconds(5)) -> InstanceSource {
        let reader = InstanceReader(spec: spec, timeout: timeout)
        let readStats: @Sendable () async -> InstanceReading = { await reader.readStats() }
        var readTunnels: (@Sendable () async -> TunnelReading)?
        if spec.runtime != nil || spec.master != nil {
            readTunnels = {
                let reading: TunnelReading? = await reader.readTunnels()
                return reading ?? TunnelReading.unavailable(TunnelDetailUnavailable.noSocket)
            }
        }
        return InstanceSource(name: spec.name, readStats: readStats, readTunnels: readTunnels)
    }
}

/// A one-shot read ran out of its deadline between two commands (`--timeout` bounds the whole read).
public struct ReadDeadlinePassed: Error, CustomStringConvertible {
    public let instance: String
    public let timeout: Duration
    public var description: String {
        "the read of \(instance) did not finish within \(DurationParser.format(timeout)) (--timeout bounds the whole "
            + "read, every command included): HAProxy may be slow or overloaded; raise --timeout if it is only slow"
    }
}
