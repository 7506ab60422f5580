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
    let statBuffers = AnswerBufferPool()

    public init(spec: InstanceSpec, timeout: Duration = .seconds(5)) {
        self.spec = spec
        self.timeout = timeout
    }

    /// Stats and tunnels together: the one-shot read of `haws status`.
    public func read() async -> InstanceReading {
        async let tunnels = readTunnels()
        let stats = await readStats()
        guard case .read(var snapshot) = stats else { return stats }
        switch await tunnels {
        case .counted(let current, let old, let unread)?:
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

    /// The cheap poll: `show info` + `show stat`, or the stats page.
    public func readStats() async -> InstanceReading {
        do {
            if let worker = workerCommands, let workerBytes = workerBytes {
                async let infoText = worker(.showInfo)
                let csv = try await workerBytes(.showStat)
                let info = InfoParser.parse(try await infoText)
                let table = try StatsCSVParser.parse(bytes: csv, whenReleased: { [statBuffers] in statBuffers.give($0) })
                var snapshot = InstanceSnapshot(instance: spec.name, info: info, stats: table)
                if table.backends.contains(where: { $0.servers.contains { $0.address == nil } }) {
                    // `level user` hides `addr`; `show servers state` still has it. Best effort.
                    if let states = try? await worker(.showServersState) {
                        let parsed = ServersStateParser.parse(states)
                        snapshot.serverStates = Dictionary(parsed.records.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                    }
                }
                return .read(snapshot)
            }
            if let page = spec.statsPage {
                let client = try StatsPageClient(spec: page, timeout: timeout)
                let table = try StatsCSVParser.parse(try await client.fetchCSV())
                return .read(InstanceSnapshot(instance: spec.name, stats: table))
            }
            return .unreachable(instance: spec.name, error: "nothing to read from")
        } catch {
            return .unreachable(instance: spec.name, error: Self.oneLine(error))
        }
    }

    /// The heavier poll: `show sess all` of the current worker and of old workers; `nil` without a socket.
    public func readTunnels() async -> TunnelReading? {
        guard let worker = workerCommands else { return nil }
        async let old = oldWorkerTunnels()
        do {
            let streams = SessionListParser.parse(try await worker(.showSessAll))
            let oldWorkers = await old
            return .counted(
                current: TunnelCounter.perServer(streams), oldWorkers: oldWorkers?.tallies,
                oldWorkersUnread: oldWorkers?.unread ?? [])
        } catch let error as RuntimeAPIError where error.kind == .levelTooLow {
            _ = await old
            return .unavailable(.needsOperator)
        } catch {
            _ = await old
            return .unavailable(.failed(Self.oneLine(error)))
        }
    }

    /// Tunnels per server still held by old workers (master socket only), and the old workers (or `show proc`)
    /// that could not be read, so that a partial count is said to be partial; `nil` without a master socket.
    func oldWorkerTunnels() async -> (tallies: [ServerKey: TunnelTally], unread: [String])? {
        guard let master = spec.master else { return nil }
        let client = RuntimeAPIClient(endpoint: master, timeout: timeout)
        let procText: String
        do { procText = try await client.send(RuntimeCommand.showProc.text) } catch {
            return ([:], ["show proc: \(Self.oneLine(error))"])
        }
        let oldWorkers = ProcListParser.parse(procText).filter { $0.role == .worker && $0.isOld }
        var total: [ServerKey: TunnelTally] = [:]
        var unread: [String] = []
        for worker in oldWorkers {
            let command = RuntimeCommand.onWorker(pid: worker.pid, .showSessAll)
            let text: String
            do { text = try await client.send(command.text) } catch {
                unread.append("old worker \(worker.pid): \(Self.oneLine(error))")
                continue
            }
            for (key, tally) in TunnelCounter.perServer(SessionListParser.parse(text)) {
                total[key] = (total[key] ?? TunnelTally()) + tally
            }
        }
        return (total, unread)
    }

    /// Sends a read command to the worker: its own socket, else through the master CLI.
    private var workerCommands: (@Sendable (RuntimeCommand) async throws -> String)? {
        if let runtime = spec.runtime {
            let client = RuntimeAPIClient(endpoint: runtime, timeout: timeout)
            return { command in try await client.send(command.text) }
        }
        if let master = spec.master {
            let client = RuntimeAPIClient(endpoint: master, timeout: timeout)
            return { command in try await client.send("@1 " + command.text) }
        }
        return nil
    }

    /// ``workerCommands`` for `show stat`: the answer as bytes, which its parser reads without a string.
    private var workerBytes: (@Sendable (RuntimeCommand) async throws -> [UInt8])? {
        if let runtime = spec.runtime {
            let client = RuntimeAPIClient(endpoint: runtime, timeout: timeout)
            return { [statBuffers] command in
                let bytes = try await client.sendForBytes(command.text, into: statBuffers.take())
                statBuffers.answered(size: bytes.count)
                return bytes
            }
        }
        if let master = spec.master {
            let client = RuntimeAPIClient(endpoint: master, timeout: timeout)
            return { [statBuffers] command in
                let bytes = try await client.sendForBytes("@1 " + command.text, into: statBuffers.take())
                statBuffers.answered(size: bytes.count)
                return bytes
            }
        }
        return nil
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
