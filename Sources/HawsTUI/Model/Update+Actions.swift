#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

extension TopState {
    /// The servers an action applies to: every marked server, else the selected one.
    func actionTargets() -> Result<[ServerID], ActionRefusal> {
        if !marked.isEmpty { return .success(marked.sorted()) }
        guard rows.indices.contains(cursor) else { return .failure(ActionRefusal("no server selected")) }
        switch rows[cursor].id {
        case .server(let id): return .success([id])
        case .backend:
            return .failure(
                ActionRefusal(
                    "select a server row (j/k), or mark servers with x (x on a backend marks all its servers)"))
        case .frontend:
            return .failure(ActionRefusal("actions apply to servers: switch to a servers view (tab)"))
        }
    }

    /// The current server of the live data and its tunnel count.
    func liveServer(_ id: ServerID) -> (server: Server, tunnels: Int?)? {
        liveSnapshotServer(id).map { snapshot, server in (server, snapshot.tunnels(of: server)?.count) }
    }

    /// The server and what a drain of it follows now: ``InstanceSnapshot/drainCount(of:)``, the rule `haws drain`
    /// follows too, taken afresh on every reading (a session list read later, or no longer read, changes it).
    func liveDrainCount(_ id: ServerID) -> (server: Server, count: DrainCount)? {
        liveSnapshotServer(id).map { snapshot, server in (server, snapshot.drainCount(of: server)) }
    }

    private func liveSnapshotServer(_ id: ServerID) -> (snapshot: InstanceSnapshot, server: Server)? {
        guard let snapshot = liveInstance(id.instance)?.snapshot,
            let backend = snapshot.backends.first(where: { $0.name == id.key.backend }),
            let server = backend.servers.first(where: { $0.name == id.key.server })
        else { return nil }
        return (snapshot, server)
    }

    /// Builds the exact commands of an action, or says why none will be sent: read-only, an
    /// unusable audit log, a server gone from the configuration, or a name that is not safe to send.
    func plan(_ kind: ServerActionKind, targets: [ServerID], origin: ActionOrigin) -> Result<ActionBatch, ActionRefusal>
    {
        if let problem = settings.auditProblem {
            return .failure(
                ActionRefusal(
                    "refusing to \(kind.verb) anything: the audit log cannot be written (\(problem)); start with --audit-log PATH"
                ))
        }
        var items: [ActionItem] = []
        for target in targets {
            if let reason = refusal(for: target.instance) {
                return .failure(
                    ActionRefusal(
                        "READ-ONLY: refusing to \(kind.verb) \(target.key) on \(target.instance): \(reason). Nothing was sent.",
                        readOnly: true))
            }
            guard let (server, tunnels) = liveServer(target) else {
                return .failure(
                    ActionRefusal("\(target.key) is not in the latest snapshot of \(target.instance); nothing was sent")
                )
            }
            let command: RuntimeCommand
            do {
                let reference = try ServerReference(
                    backend: ProxyName(target.key.backend), server: ProxyName(target.key.server))
                command = try kind.command(for: reference)
            } catch let error as InvalidProxyName {
                return .failure(ActionRefusal("\(error); nothing was sent"))
            } catch {
                return .failure(ActionRefusal("\(error); nothing was sent"))
            }
            items.append(ActionItem(target: target, command: command, before: ServerSummary(server, tunnels: tunnels)))
        }
        return .success(ActionBatch(id: nextBatchID, kind: kind, items: items, origin: origin))
    }

    /// `d`, `r`, `m`, `K` (and `w` after its prompt): open the confirmation, or say why not.
    mutating func propose(_ kind: ServerActionKind, targets chosen: [ServerID]? = nil) {
        let targets: [ServerID]
        if let chosen {
            targets = chosen
        } else {
            switch actionTargets() {
            case .success(let found): targets = found
            case .failure(let refusal):
                message = StatusMessage("\(kind.verb): \(refusal.text)", .warning)
                return
            }
        }
        switch plan(kind, targets: targets, origin: .operatorKey) {
        case .failure(let refusal):
            message = StatusMessage(refusal.text, refusal.readOnly ? .error : .warning)
        case .success(let batch):
            nextBatchID += 1
            overlay = .confirm(ConfirmDialog(batch: batch, maintWhenEmpty: false, deadline: settings.drainDeadline))
        }
    }

    /// `w`: ask for the weight first (the confirmation follows with the exact command).
    mutating func promptWeight() {
        switch actionTargets() {
        case .failure(let refusal):
            message = StatusMessage("set weight: \(refusal.text)", .warning)
        case .success(let targets):
            if let reason = targets.compactMap({ refusal(for: $0.instance) }).first {
                message = StatusMessage("READ-ONLY: refusing to set a weight: \(reason). Nothing was sent.", .error)
                return
            }
            overlay = .weight(WeightPrompt(targets: targets, text: "", error: nil))
        }
    }

    /// `y` in the confirmation: send, off the UI loop.
    mutating func confirm(_ dialog: ConfirmDialog, _ effects: inout [Effect]) {
        var batch = dialog.batch
        if batch.kind == .drain {
            batch.drainOptions = DrainTracker.Options(maintWhenEmpty: dialog.maintWhenEmpty, deadline: dialog.deadline)
        }
        send(batch, &effects)
    }

    mutating func send(_ batch: ActionBatch, _ effects: inout [Effect]) {
        inFlight[batch.id] = batch
        let count = batch.items.count
        message = StatusMessage(
            "\(batch.kind.verb) \(count == 1 ? batch.items[0].target.key.description : "\(count) servers"): sending \(count) command\(count == 1 ? "" : "s")..."
        )
        effects.append(.send(batch))
    }

    /// The executor answered: note failures, start drains, and look for the effect in the next
    /// snapshots.
    mutating func received(_ results: [Result<String, ActionFailure>], for id: Int, _ effects: inout [Effect]) {
        guard let batch = inFlight.removeValue(forKey: id) else { return }
        let window = verificationWindow(for: batch.kind)
        var verification = Verification(
            batch: batch, sentAt: now, deadline: now.addingTimeInterval(window), outcomes: [])
        for (index, item) in batch.items.enumerated() {
            let result = index < results.count ? results[index] : .failure(ActionFailure(.failed, "no answer"))
            switch result {
            case .failure(let failure):
                verification.outcomes.append(.failed(failure))
                if failure.kind == .permissionDenied {
                    access[item.target.instance] = .refused(
                        "HAProxy answered 'Permission denied': the runtime socket is below `level admin`")
                }
            case .success:
                verification.outcomes.append(nil)
                if batch.kind == .drain { startDrain(item, options: batch.drainOptions ?? DrainTracker.Options()) }
            }
        }
        if verification.isComplete {
            finish(verification, &effects)
        } else {
            verifications[id] = verification
            let sent = verification.outcomes.filter { $0 == nil }.count
            message = StatusMessage(
                "\(subject(of: batch)): sent \(sent) command\(sent == 1 ? "" : "s"); checking HAProxy's next snapshot..."
            )
            effects.append(.reread)
        }
    }

    /// How long to look for an action's effect before calling it not observed.
    func verificationWindow(for kind: ServerActionKind) -> TimeInterval {
        let stats = settings.statsInterval.seconds
        switch kind {
        case .shutdownSessions: return max(5, 3 * stats + 2 * settings.tunnelsInterval.seconds)
        default: return max(5, 4 * stats + 2)
        }
    }

    func subject(of batch: ActionBatch) -> String {
        "\(batch.kind.verb) \(batch.items.count == 1 ? batch.items[0].target.key.description : "\(batch.items.count) servers")"
    }

    /// Looks for the effect of pending actions in snapshots polled after the commands were sent.
    mutating func checkVerifications(_ effects: inout [Effect]) {
        for id in verifications.keys.sorted() {
            guard var verification = verifications[id] else { continue }
            for (index, item) in verification.batch.items.enumerated() where verification.outcomes[index] == nil {
                guard let instance = liveInstance(item.target.instance), let polled = instance.lastGoodPoll,
                    polled > verification.sentAt, let (server, tunnels) = liveServer(item.target)
                else { continue }
                let after = ServerSummary(server, tunnels: tunnels)
                if after.shows(verification.batch.kind, before: item.before) {
                    verification.outcomes[index] = .tookEffect(after: after.describe(for: verification.batch.kind))
                }
            }
            verifications[id] = verification
            if verification.isComplete {
                verifications[id] = nil
                finish(verification, &effects)
            }
        }
    }

    /// Gives up on effects not seen before their deadline.
    mutating func checkVerificationDeadlines(_ effects: inout [Effect]) {
        for id in verifications.keys.sorted() {
            guard var verification = verifications[id], verification.deadline <= now else { continue }
            for (index, item) in verification.batch.items.enumerated() where verification.outcomes[index] == nil {
                let after = liveServer(item.target).map {
                    ServerSummary($0.server, tunnels: $0.tunnels).describe(for: verification.batch.kind)
                }
                verification.outcomes[index] = .notObserved(after: after)
            }
            verifications[id] = nil
            finish(verification, &effects)
        }
    }

    /// Reports the outcome, writes the audit lines and records the events.
    mutating func finish(_ verification: Verification, _ effects: inout [Effect]) {
        let batch = verification.batch
        let records = auditRecords(for: verification)
        effects.append(.audit(records))
        for record in records {
            effects.append(
                .record(
                    MonitorEvent(
                        time: now, instance: record.instance, object: record.object, kind: .operatorAction,
                        before: record.stateBefore, after: record.stateAfter,
                        detail: "\(record.command): \(record.result)")))
        }
        let took = verification.outcomes.filter { if case .tookEffect = $0 { true } else { false } }.count
        let failures = verification.outcomes.compactMap { outcome -> ActionFailure? in
            if case .failed(let failure)? = outcome { failure } else { nil }
        }
        let unseen = verification.outcomes.count - took - failures.count
        let subject = subject(of: batch)
        if batch.items.count == 1 {
            let item = batch.items[0]
            switch verification.outcomes[0] {
            case .tookEffect(let after)?:
                message = StatusMessage(
                    "\(subject): took effect (\(item.before.describe(for: batch.kind)) -> \(after))", .success,
                    until: now.addingTimeInterval(15))
            case .notObserved(let after)?:
                message = StatusMessage(
                    "\(subject): sent, but HAProxy still shows \(after ?? "no data") after \(Int(verificationWindow(for: batch.kind)))s",
                    .warning)
            case .failed(let failure)?:
                message = StatusMessage("\(subject): failed: \(failure.message)", .error)
            case nil:
                break
            }
        } else {
            var parts = ["\(took) took effect"]
            if unseen > 0 { parts.append("\(unseen) not observed") }
            if !failures.isEmpty { parts.append("\(failures.count) failed (\(failures[0].message))") }
            message = StatusMessage(
                "\(subject): " + parts.joined(separator: ", "),
                failures.isEmpty ? (unseen == 0 ? .success : .warning) : .error)
        }
        if failures.contains(where: { $0.kind == .permissionDenied }) {
            message = StatusMessage(
                "\(subject): refused by HAProxy (Permission denied): the runtime socket is below level admin; now READ-ONLY for that instance",
                .error)
        }
        // A drain whose command failed is not tracked.
        if batch.kind == .drain {
            for (index, outcome) in verification.outcomes.enumerated() {
                if case .failed? = outcome { drains[batch.items[index].target] = nil }
            }
        }
    }

    func auditRecords(for verification: Verification) -> [AuditRecord] {
        let batch = verification.batch
        return batch.items.enumerated().map { index, item in
            let outcome = verification.outcomes[index]
            var after: String?
            switch outcome {
            case .tookEffect(let text)?: after = text
            case .notObserved(let text)?: after = text
            case .failed?, nil:
                after = liveServer(item.target).map {
                    ServerSummary($0.server, tunnels: $0.tunnels).describe(for: batch.kind)
                }
            }
            return AuditRecord(
                time: now, user: settings.user, instance: item.target.instance, object: item.target.key.description,
                command: item.command.text, stateBefore: item.before.describe(for: batch.kind), stateAfter: after,
                result: outcome?.auditResult ?? "sent; effect not observed", origin: batch.origin.rawValue)
        }
    }
}

/// Why an action was not started, as the message line says it.
struct ActionRefusal: Error, Hashable {
    var text: String
    var readOnly = false

    init(_ text: String, readOnly: Bool = false) {
        self.text = text
        self.readOnly = readOnly
    }
}
