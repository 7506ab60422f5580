#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// Turns a stream of HAProxy snapshots into live state: polls every instance on its own schedule,
/// computes reset-safe rates, keeps bounded history and an event log, and tracks reachability.
///
/// Each instance has its own polling tasks (stats, and tunnels at a slower cadence), so one dead or
/// hung instance never delays another, and a poll of an instance never overlaps the previous one of
/// the same kind. Consumers read immutable ``MonitorState`` values from ``updates()``; they never
/// wait on the network.
public actor MonitorEngine {
    public let configuration: MonitorConfiguration
    private let sources: [InstanceSource]
    private let clock: TimeSource
    private var instances: [LiveInstance]
    private var events: RingBuffer<MonitorEvent>
    private var generation = 0
    private var pendingTunnels: [Int: TunnelReading] = [:]
    /// Instances whose tunnel reading changed since their last history sample.
    private var freshTunnels: Set<Int> = []
    private var previousRows: [Int: InstanceSnapshot] = [:]
    private var previousPollTime: [Int: Date] = [:]
    private var subscribers: [UUID: AsyncStream<MonitorState>.Continuation] = [:]
    private var eventSubscribers: [UUID: AsyncStream<MonitorEvent>.Continuation] = [:]

    /// - Parameter clock: the polls' cadence and the times of polls and events (a manual clock in tests).
    public init(
        sources: [InstanceSource], configuration: MonitorConfiguration = MonitorConfiguration(), clock: TimeSource = .live
    ) {
        self.sources = sources
        self.configuration = configuration
        self.clock = clock
        self.instances = sources.map { source in
            var live = LiveInstance(name: source.name)
            live.serverTunnelHistory = ServerHistory(capacity: configuration.historyCapacity)
            return live
        }
        self.events = RingBuffer(capacity: max(1, configuration.eventCapacity))
    }

    /// The current state, for a consumer that polls (the UI's render tick).
    public var state: MonitorState {
        MonitorState(instances: instances, events: events.elements, generation: generation)
    }

    /// Every new state; the stream keeps only the newest value so a slow consumer never builds a backlog.
    public func updates() -> AsyncStream<MonitorState> {
        let (stream, continuation) = AsyncStream.makeStream(of: MonitorState.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        subscribers[id] = continuation
        continuation.yield(state)
        continuation.onTermination = { [weak self] _ in Task { await self?.unsubscribe(id) } }
        return stream
    }

    /// Every event as it happens (reloads, state changes, reachability), buffered up to the capacity.
    public func eventStream() -> AsyncStream<MonitorEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: MonitorEvent.self, bufferingPolicy: .bufferingNewest(configuration.eventCapacity))
        let id = UUID()
        eventSubscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in Task { await self?.unsubscribe(id) } }
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
        eventSubscribers[id] = nil
    }

    /// Records an event from outside the engine (probe results, operator actions).
    public func record(_ event: MonitorEvent) {
        append([event])
        publish()
    }

    /// Polls until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { await self.pollStats(index: index, source: source) }
                if let readTunnels = source.readTunnels {
                    group.addTask { await self.pollTunnels(index: index, read: readTunnels) }
                }
            }
            group.addTask { await self.watchStaleness() }
            await group.waitForAll()
        }
        for continuation in subscribers.values { continuation.finish() }
        for continuation in eventSubscribers.values { continuation.finish() }
    }

    /// Runs one stats poll (and one tunnel poll) of every instance, in parallel: `haws status` and tests.
    public func pollOnce() async {
        await withTaskGroup(of: Void.self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask {
                    async let tunnels = source.readTunnels?()
                    let reading = await source.readStats()
                    if let tunnels = await tunnels { await self.applyTunnels(tunnels, index: index) }
                    await self.apply(reading, index: index)
                }
            }
        }
    }

    private nonisolated func pollStats(index: Int, source: InstanceSource) async {
        while !Task.isCancelled {
            let started = clock.instant()
            let reading = await source.readStats()
            await apply(reading, index: index)
            try? await clock.sleep(until: started.advanced(by: configuration.statsInterval))
        }
    }

    /// Dumps on ``SessionDumpSchedule``: checked once per stats interval, so a backend whose counters stop
    /// giving exact counts gets its dump within a poll of the configured interval.
    private nonisolated func pollTunnels(index: Int, read: @escaping @Sendable () async -> TunnelReading) async {
        let schedule = configuration.sessionDumpSchedule
        var lastStart: ContinuousClock.Instant?
        var lastCost = SessionDumpCost()
        while !Task.isCancelled {
            let needed = await countsNeedDump(index: index)
            let (interval, reason) = schedule.interval(after: lastCost, countsNeedDump: needed)
            await recordSchedule(index: index, interval: interval, reason: reason)
            if let lastStart, clock.instant() < lastStart.advanced(by: interval) {
                let due = lastStart.advanced(by: interval)
                let check = clock.instant().advanced(by: configuration.statsInterval)
                try? await clock.sleep(until: min(due, check))
                continue
            }
            let started = clock.instant()
            let reading = await read()
            lastStart = started
            lastCost = reading.cost.seconds > 0 ? reading.cost : SessionDumpCost(seconds: (clock.instant() - started).seconds)
            await applyTunnels(reading, index: index)
        }
    }

    /// Whether the instance's last stats poll left some server's count open (or has not run yet), or the
    /// instance has a master socket: tunnels held by old workers after a reload are counted by the dump only.
    private func countsNeedDump(index: Int) -> Bool {
        guard let snapshot = instances[index].snapshot else { return true }
        return snapshot.needsSessionDump || snapshot.oldWorkerTunnels != nil
    }

    private func recordSchedule(index: Int, interval: Duration, reason: SessionDumpSchedule.Reason) {
        guard instances[index].cost.sessionInterval != interval || instances[index].cost.sessionIntervalReason != reason
        else { return }
        instances[index].cost.sessionInterval = interval
        instances[index].cost.sessionIntervalReason = reason
    }

    /// Re-evaluates staleness once per interval, so a hung instance turns stale even while its poll
    /// is still waiting on the socket.
    private nonisolated func watchStaleness() async {
        while !Task.isCancelled {
            try? await clock.sleep(configuration.statsInterval)
            await refreshStaleness()
        }
    }

    private func refreshStaleness() {
        let limit = Double(configuration.staleAfterIntervals) * configuration.statsInterval.seconds
        var changed = false
        for index in instances.indices {
            guard case .reachable = instances[index].health, let last = instances[index].lastGoodPoll else { continue }
            if clock.date().timeIntervalSince(last) > limit {
                instances[index].health = .stale(lastGood: last)
                changed = true
            }
        }
        if changed { publish() }
    }

    func applyTunnels(_ reading: TunnelReading, index: Int) {
        pendingTunnels[index] = reading
        freshTunnels.insert(index)
        instances[index].tunnelsReadAt = clock.date()
        if case .counted = reading { instances[index].cost.recordDump(reading.cost) }
        guard var snapshot = instances[index].snapshot else { return }
        merge(reading, into: &snapshot)
        instances[index].snapshot = snapshot
        // The history takes it at the next stats poll: one sample per poll, so 300 samples are 5 minutes.
        publish()
    }

    private func merge(_ reading: TunnelReading, into snapshot: inout InstanceSnapshot) {
        switch reading {
        case .counted(let current, let oldWorkers, let unread, _):
            snapshot.serverTunnels = current
            snapshot.oldWorkerTunnels = oldWorkers
            snapshot.oldWorkersUnread = unread
            snapshot.serverTunnelsUnavailable = nil
        case .unavailable(let reason):
            snapshot.serverTunnels = nil
            snapshot.oldWorkerTunnels = nil
            snapshot.oldWorkersUnread = []
            snapshot.serverTunnelsUnavailable = reason
        }
    }

    func apply(_ reading: InstanceReading, index: Int) {
        let time = clock.date()
        var live = instances[index]
        live.polls += 1
        var newEvents: [MonitorEvent] = []
        switch reading {
        case .unreachable(_, let error):
            live.failedPolls += 1
            live.lastError = error
            if case .unreachable = live.health {} else {
                newEvents.append(MonitorEvent(time: time, instance: live.name, object: live.name, kind: .instanceUnreachable, detail: error))
            }
            live.health = .unreachable(error: error)
        case .read(var snapshot):
            snapshot.instance = live.name
            if case .unreachable = live.health {
                newEvents.append(MonitorEvent(time: time, instance: live.name, object: live.name, kind: .instanceRecovered))
            }
            if let reading = pendingTunnels[index] {
                merge(reading, into: &snapshot)
            } else if snapshot.serverTunnels == nil, snapshot.serverTunnelsUnavailable == nil, sources[index].readTunnels == nil {
                snapshot.serverTunnelsUnavailable = .noSocket
            }
            let previous = previousRows[index]
            let seconds = previousPollTime[index].map { time.timeIntervalSince($0) } ?? 0
            let reload = ReloadDetector.reload(from: previous?.info, to: snapshot.info)
            if let previous {
                newEvents += SnapshotDiff.events(from: previous, to: snapshot, at: time)
            }
            computeRates(&live, previous: previous, current: snapshot, seconds: seconds, reset: reload != nil)
            previousRows[index] = snapshot
            previousPollTime[index] = time
            live.cost.recordStats(snapshot.commandCosts)
            live.snapshot = snapshot
            live.lastGoodPoll = time
            live.lastError = nil
            live.health = .reachable
        }
        instances[index] = live
        if case .read = reading, let snapshot = live.snapshot { recordHistory(index: index, snapshot: snapshot) }
        append(newEvents)
        publish()
    }

    private func computeRates(_ live: inout LiveInstance, previous: InstanceSnapshot?, current: InstanceSnapshot, seconds: Double, reset: Bool) {
        // Same position, same object, almost always (configuration order): look up by name only on a
        // mismatch, and build that table lazily, once.
        var oldServers: [ServerKey: RateCounters]?
        func oldServer(_ server: Server, sameSlot: [Server]?, serverIndex: Int) -> RateCounters? {
            if let sameSlot, serverIndex < sameSlot.count, sameSlot[serverIndex].name == server.name {
                return sameSlot[serverIndex].counters
            }
            if oldServers == nil {
                var table: [ServerKey: RateCounters] = [:]
                for backend in previous?.backends ?? [] { for server in backend.servers { table[server.key] = server.counters } }
                oldServers = table
            }
            return oldServers?[server.key]
        }
        func oldBackend(_ backend: Backend, index: Int) -> RateCounters? {
            guard let previous else { return nil }
            let old = index < previous.backends.count && previous.backends[index].name == backend.name
                ? previous.backends[index] : previous.backends.first { $0.name == backend.name }
            return old?.hasStatsRow == true ? old?.counters : nil
        }
        func oldFrontend(_ frontend: Frontend, index: Int) -> RateCounters? {
            guard let previous else { return nil }
            if index < previous.frontends.count, previous.frontends[index].name == frontend.name { return previous.frontends[index].counters }
            return previous.frontends.first { $0.name == frontend.name }?.counters
        }
        var serverRates = ServerRateTable()
        var backendRates: [String: ObjectRates] = [:]
        var frontendRates: [String: ObjectRates] = [:]
        for (backendIndex, backend) in current.backends.enumerated() {
            if backend.hasStatsRow {
                backendRates[backend.name] = ObjectRates.between(oldBackend(backend, index: backendIndex), backend.counters, seconds: seconds, reset: reset)
            }
            var upgrades: Double? = nil
            var rates: [ObjectRates] = []
            rates.reserveCapacity(backend.servers.count)
            // The previous poll's servers of the backend in the same place, looked up once per backend (not a
            // copy of the backend per server).
            var sameSlot: [Server]?
            if let previous, backendIndex < previous.backends.count, previous.backends[backendIndex].name == backend.name {
                sameSlot = previous.backends[backendIndex].servers
            }
            for (serverIndex, server) in backend.servers.enumerated() {
                let old = oldServer(server, sameSlot: sameSlot, serverIndex: serverIndex)
                let rate = ObjectRates.between(old, server.counters, seconds: seconds, reset: reset)
                rates.append(rate)
                if let upgradeRate = rate.upgrades { upgrades = (upgrades ?? 0) + upgradeRate }
            }
            serverRates.append(backend: rates)
            // A backend counts a 101 only when the tunnel ends: its upgrades/s is the sum of its servers'.
            backendRates[backend.name, default: ObjectRates()].upgrades = upgrades
        }
        for (index, frontend) in current.frontends.enumerated() {
            frontendRates[frontend.name] = ObjectRates.between(oldFrontend(frontend, index: index), frontend.counters, seconds: seconds, reset: reset)
        }
        live.serverRates = serverRates
        live.backendRates = backendRates
        live.frontendRates = frontendRates
    }

    private func recordHistory(index: Int, snapshot: InstanceSnapshot) {
        let capacity = configuration.historyCapacity
        guard capacity > 0 else { return }
        // Mutated in place: a copy of the instance would make every ring shared, and each append a copy.
        for backend in snapshot.backends {
            if let tunnels = snapshot.tunnels(of: backend) {
                instances[index].backendTunnelHistory[backend.name, default: RingBuffer(capacity: capacity)].append(
                    Float(tunnels))
            }
            let upgrades = instances[index].backendRates[backend.name]?.upgrades ?? 0
            instances[index].backendUpgradeRateHistory[backend.name, default: RingBuffer(capacity: capacity)].append(
                Float(upgrades))
        }
        recordTunnelHistory(index: index, snapshot: snapshot)
    }

    private func recordTunnelHistory(index: Int, snapshot: InstanceSnapshot) {
        guard configuration.historyCapacity > 0, snapshot.serverTunnels != nil || !snapshot.tunnelBasis.isEmpty else { return }
        // Counts come from this poll's counters now, so every poll is a new sample (an unchanged one shares
        // the previous frame's storage inside the history).
        freshTunnels.remove(index)
        instances[index].serverTunnelHistory.record(snapshot)
    }

    private func append(_ newEvents: [MonitorEvent]) {
        for event in newEvents {
            events.append(event)
            for continuation in eventSubscribers.values { continuation.yield(event) }
        }
    }

    private func publish() {
        generation += 1
        guard !subscribers.isEmpty else { return }
        let current = state
        for continuation in subscribers.values { continuation.yield(current) }
    }
}

