#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor
import NIOConcurrencyHelpers

/// What the agent has seen, shared between the poll loop (writer) and `/metrics` requests (readers on NIO
/// event loops): the engine's latest state, reloads counted from events, poll durations, output failures.
///
/// A class around one lock rather than an actor: a scrape is answered synchronously on an event loop
/// and must not hop to an actor; every access copies a value in or out under the lock.
public final class AgentObservations: Sendable {
    /// One consistent copy of everything, for one scrape.
    public struct Snapshot: Sendable {
        public var state: MonitorState?
        public var reloads: [String: Int] = [:]
        public var statsPollDurations: [String: BucketHistogram] = [:]
        public var sessionsPollDurations: [String: BucketHistogram] = [:]
        public var lastStatsPollSeconds: [String: Double] = [:]
        public var outputErrors = 0
        /// NDJSON bytes written (whole lines that reached the file or pipe).
        public var outputBytes = 0
    }

    private let store = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { store.withLockedValue { $0 } }

    public func update(_ state: MonitorState) {
        store.withLockedValue { $0.state = state }
    }

    /// Counts reloads; other events need no counter.
    public func record(_ event: MonitorEvent) {
        guard event.kind == .reload else { return }
        store.withLockedValue { $0.reloads[event.instance, default: 0] += 1 }
    }

    public enum Poll: String, Sendable {
        case stats, sessions
    }

    public func recordPoll(_ poll: Poll, instance: String, seconds: Double) {
        store.withLockedValue { store in
            switch poll {
            case .stats:
                store.statsPollDurations[instance, default: BucketHistogram()].observe(seconds)
                store.lastStatsPollSeconds[instance] = seconds
            case .sessions:
                store.sessionsPollDurations[instance, default: BucketHistogram()].observe(seconds)
            }
        }
    }

    public func lastStatsPollSeconds(of instance: String) -> Double? {
        store.withLockedValue { $0.lastStatsPollSeconds[instance] }
    }

    public func recordOutputError() {
        store.withLockedValue { $0.outputErrors += 1 }
    }

    public func recordOutput(bytes: Int) {
        store.withLockedValue { $0.outputBytes += bytes }
    }

    public var outputBytes: Int { store.withLockedValue { $0.outputBytes } }
}

extension InstanceSource {
    /// The same source, with the duration of every poll recorded in `observations`.
    public func timed(into observations: AgentObservations) -> InstanceSource {
        let name = self.name
        let readStats = self.readStats
        let clock = ContinuousClock()
        let timedStats: @Sendable () async -> InstanceReading = {
            let start = clock.now
            let reading = await readStats()
            observations.recordPoll(.stats, instance: name, seconds: (clock.now - start).seconds)
            return reading
        }
        var timedTunnels: (@Sendable () async -> TunnelReading)?
        if let readTunnels = self.readTunnels {
            timedTunnels = {
                let start = clock.now
                let reading = await readTunnels()
                observations.recordPoll(.sessions, instance: name, seconds: (clock.now - start).seconds)
                return reading
            }
        }
        return InstanceSource(name: name, readStats: timedStats, readTunnels: timedTunnels)
    }
}
