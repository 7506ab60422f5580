#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

extension TopState {
    /// Starts following a drain whose command HAProxy accepted.
    mutating func startDrain(_ item: ActionItem, options: DrainTracker.Options) {
        let current = liveDrainCount(item.target)
        // A server no longer in the snapshot: its sessions before the command, never fewer than its tunnels.
        let count = current?.count ?? DrainCount(value: item.before.sessions, countsSessions: true)
        let start = DrainTracker.Observation(
            time: now, tunnels: count.value, upgradesTotal: current?.server.responses.informational)
        drains[item.target] = DrainEntry(
            tracker: DrainTracker(server: item.target.key, start: start, options: options),
            countsSessions: count.countsSessions,
            lastReadingAt: liveInstance(item.target.instance)?.lastGoodPoll)
    }

    /// Feeds every tracked drain the readings that are newer than its last one.
    mutating func observeDrains() {
        for id in drains.keys.sorted() {
            guard var entry = drains[id], let instance = liveInstance(id.instance), instance.snapshot != nil
            else { continue }
            guard let (server, drainCount) = liveDrainCount(id) else {
                drains[id] = nil
                message = StatusMessage(
                    "\(id.key) left the configuration of \(id.instance); its drain is no longer followed", .warning)
                continue
            }
            if entry.tracker.maintRequested, server.status.admin == .maint {
                drains[id] = nil
                message = StatusMessage(
                    "\(id.key) drained to zero and is in MAINT", .success, until: now.addingTimeInterval(30))
                continue
            }
            if server.status.admin == .drain { entry.confirmed = true }
            // Someone else set it READY after the drain showed: stop following it.
            if entry.confirmed, server.status.admin == .ready {
                drains[id] = nil
                message = StatusMessage("\(id.key) is READY again: its drain is no longer followed", .warning)
                continue
            }
            // Counts are fresh on every stats poll (from the counters, or the last dump within their bounds).
            let readAt = instance.lastGoodPoll
            guard let readAt, readAt > (entry.lastReadingAt ?? .distantPast), readAt > entry.tracker.latest.time else {
                drains[id] = entry
                continue
            }
            let count = drainCount.value
            entry.countsSessions = drainCount.countsSessions
            if entry.awaitingFirstReading {
                // Restart from the first count taken after the command; arrivals still count from
                // the upgrade counter as it was when the command was sent.
                let start = DrainTracker.Observation(
                    time: readAt, tunnels: count, upgradesTotal: server.responses.informational)
                entry.tracker = DrainTracker(
                    server: id.key, start: start, options: entry.tracker.options,
                    upgradesBaseline: entry.tracker.latest.upgradesTotal,
                    began: entry.tracker.startedAt)
                entry.awaitingFirstReading = false
            } else {
                entry.tracker.observe(
                    DrainTracker.Observation(
                        time: readAt, tunnels: count, upgradesTotal: server.responses.informational))
            }
            entry.lastReadingAt = readAt
            drains[id] = entry
        }
    }

    /// Takes the steps the drains call for: MAINT at zero (as confirmed), the shutdown offer after
    /// the deadline (a dialog, never done silently).
    mutating func advanceDrains(_ effects: inout [Effect]) {
        for id in drains.keys.sorted() {
            guard var entry = drains[id] else { continue }
            switch entry.tracker.nextStep(at: now) {
            case .wait, .drained:
                continue
            case .switchToMaint:
                // Only on a reading taken after the drain command.
                guard !entry.awaitingFirstReading else { continue }
                entry.tracker.markMaintRequested()
                drains[id] = entry
                let counted = entry.countsSessions ? "sessions" : "tunnels"
                switch plan(.maint, targets: [id], origin: .maintAtZero) {
                case .success(let batch):
                    nextBatchID += 1
                    send(batch, &effects)
                    message = StatusMessage(
                        "\(id.key) reached 0 \(counted): switching to MAINT as confirmed", .success)
                case .failure(let refusal):
                    message = StatusMessage(
                        "\(id.key) reached 0 \(counted) but MAINT was not sent: \(refusal.text)", .error)
                }
            case .offerShutdown(let remaining):
                guard overlay == nil, filterInput == nil else { continue }
                entry.tracker.markShutdownOffered()
                drains[id] = entry
                if case .success(var batch) = plan(.shutdownSessions, targets: [id], origin: .drainDeadline) {
                    nextBatchID += 1
                    batch.origin = .drainDeadline
                    overlay = .confirm(ConfirmDialog(batch: batch, maintWhenEmpty: false, deadline: nil))
                    message = StatusMessage(
                        "drain deadline passed for \(id.key) with \(remaining) left: shut them down? (y/n)", .warning)
                }
            }
        }
    }
}
