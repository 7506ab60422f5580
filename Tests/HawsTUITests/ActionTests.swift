import Foundation
import HawsCore
import HawsMonitor
import Testing

@testable import HawsTUI

@Suite struct ActionTests {
    static let s1 = ServerID(instance: "demo", backend: "ws_chat", server: "s1")

    func sentBatch(_ effects: [Effect]) -> ActionBatch? {
        for effect in effects { if case .send(let batch) = effect { return batch } }
        return nil
    }

    func auditRecords(_ effects: [Effect]) -> [AuditRecord] {
        effects.flatMap { effect -> [AuditRecord] in if case .audit(let records) = effect { records } else { [] } }
    }

    /// A later snapshot where `change` was applied to the demo layout.
    func snapshot(at seconds: Double, _ change: (inout [(String, [Fixture.ServerRow])]) -> Void) -> Action {
        var backends = Fixture.demoBackends
        change(&backends)
        let time = Fixture.start.addingTimeInterval(seconds)
        return .monitor(Fixture.monitor([Fixture.live(Fixture.snapshot(backends), polledAt: time)]), at: time)
    }

    @Test func confirmationShowsTheExactCommandAndTheServer() {
        var state = Fixture.select(Fixture.state(size: TerminalSize(columns: 80, rows: 24)), "ws_chat", "s1")
        state = Fixture.press(state, [.character("d")]).0
        guard case .confirm(let dialog)? = state.overlay else {
            Issue.record("no dialog: \(String(describing: state.message))")
            return
        }
        #expect(dialog.batch.items.map(\.command.text) == ["set server ws_chat/s1 state drain"])
        let text = Fixture.screen(state).text
        #expect(text.contains("Confirm: drain 1 server"))
        #expect(text.contains("ws_chat/s1"))
        #expect(text.contains("set server ws_chat/s1 state drain"))
        #expect(text.contains("UP") && text.contains("tunnels 4"))
        #expect(text.contains("switch to MAINT when tunnels reach 0: no"))
        #expect(text.contains("offer 'shutdown sessions' after: 10m00s"))
        #expect(text.contains("y send"))
        #expect(Fixture.screen(state).lines.allSatisfy { DisplayWidth.of($0) <= 80 })
        // Cancel sends nothing.
        let (cancelled, effects) = Fixture.press(state, [.escape])
        #expect(cancelled.overlay == nil && effects.isEmpty)
        #expect(cancelled.message?.text == "drain: cancelled, nothing sent")
    }

    @Test func everyActionBuildsItsCommand() {
        let base = Fixture.select(Fixture.state(), "ws_chat", "s2")
        let cases: [([Key], String)] = [
            ([.character("r")], "set server ws_chat/s2 state ready"),
            ([.character("m")], "set server ws_chat/s2 state maint"),
            ([.character("K")], "shutdown sessions server ws_chat/s2"),
            ([.character("w"), .character("5"), .character("0"), .enter], "set server ws_chat/s2 weight 50"),
        ]
        for (keys, command) in cases {
            let state = Fixture.press(base, keys).0
            guard case .confirm(let dialog)? = state.overlay else {
                Issue.record("no dialog for \(command)")
                continue
            }
            #expect(dialog.batch.items.map(\.command.text) == [command])
            #expect(Fixture.screen(state).text.contains(command))
        }
        // A weight out of range stays in the prompt with a message.
        let bad = Fixture.press(base, [.character("w"), .character("9"), .character("9"), .character("9"), .enter]).0
        guard case .weight(let prompt)? = bad.overlay else {
            Issue.record("the prompt closed")
            return
        }
        #expect(prompt.error == "type a whole number from 0 to 256")
    }

    @Test func marksApplyToEveryMarkedServer() {
        var state = Fixture.select(Fixture.state(), "ws_chat")
        state = Fixture.press(state, [.character("x")]).0
        #expect(state.marked.count == 3)
        state = Fixture.select(state, "http_api", "a1")
        state = Fixture.press(state, [.character("x"), .character("m")]).0
        guard case .confirm(let dialog)? = state.overlay else {
            Issue.record("no dialog")
            return
        }
        #expect(
            dialog.batch.items.map(\.command.text) == [
                "set server http_api/a1 state maint", "set server ws_chat/s1 state maint",
                "set server ws_chat/s2 state maint",
                "set server ws_chat/s3 state maint",
            ])
        #expect(Fixture.screen(state).text.contains("Confirm: put in maintenance 4 servers"))
        state = Fixture.press(state, [.escape, .escape]).0
        #expect(state.marked.isEmpty)
    }

    @Test func aBackendRowIsNotATarget() {
        let state = Fixture.press(Fixture.select(Fixture.state(), "ws_chat"), [.character("d")]).0
        #expect(state.overlay == nil)
        #expect(state.message?.text.contains("select a server row") == true)
    }

    @Test func readOnlyRefusesWithAClearMessage() {
        var settings = TopSettings(user: "alice")
        settings.readOnly = true
        var state = Fixture.select(Fixture.state(settings: settings), "ws_chat", "s1")
        #expect(Fixture.screen(state).lines[0].contains("READ-ONLY"))
        for key in ["d", "r", "m", "K", "w"] {
            let (next, effects) = Fixture.press(state, [.character(Character(key))])
            #expect(next.overlay == nil && effects.isEmpty)
            #expect(
                next.message?.text.hasPrefix("READ-ONLY: refusing") == true,
                "\(key): \(String(describing: next.message))")
            #expect(next.message?.text.contains("--read-only") == true)
        }
        state = Fixture.press(state, [.character("d")]).0
        #expect(Fixture.screen(state).lines.last!.contains("READ-ONLY: refusing to drain ws_chat/s1 on demo"))
        #expect(Fixture.screen(state).style(of: "READ-ONLY: refusing")?.role == .critical)
    }

    @Test func aUserLevelSocketIsReadOnlyFromTheStart() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s1")
        state = update(state, .access(instance: "demo", .level(.user))).0
        #expect(Fixture.screen(state).lines[0].contains("READ-ONLY"))
        state = Fixture.press(state, [.character("d")]).0
        #expect(state.overlay == nil)
        #expect(state.message?.text.contains("runtime socket is level user; actions need `level admin`") == true)
    }

    @Test func permissionDeniedOnSendTurnsTheInstanceReadOnly() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("y")])
        let batch = sentBatch(effects)!
        (state, effects) = update(
            state,
            .sent(
                batch: batch.id, results: [.failure(ActionFailure(.permissionDenied, "Permission denied"))],
                at: Fixture.start))
        #expect(state.message?.text.contains("refused by HAProxy (Permission denied)") == true)
        #expect(state.isReadOnly)
        #expect(Fixture.screen(state).lines[0].contains("READ-ONLY"))
        let records = auditRecords(effects)
        #expect(records.count == 1 && records[0].result == "failed: Permission denied")
        #expect(state.drains.isEmpty)
        // The next attempt is refused before anything is sent.
        state = Fixture.press(state, [.character("r")]).0
        #expect(state.overlay == nil)
        #expect(state.message?.text.hasPrefix("READ-ONLY") == true)
    }

    @Test func anUnsafeNameIsRefusedBeforeACommandIsBuilt() {
        var backends = Fixture.demoBackends
        backends[0].1[0].name = "s1;shutdown"
        var state = Fixture.state(backends: backends)
        state = Fixture.select(state, "ws_chat", "s1;shutdown")
        state = Fixture.press(state, [.character("d")]).0
        #expect(state.overlay == nil)
        #expect(state.message?.text.contains("refusing name \"s1;shutdown\"") == true)
    }

    @Test func sentActionIsCheckedInTheNextSnapshotAndAudited() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s1")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("d"), .character("y")])
        let batch = sentBatch(effects)!
        #expect(state.message?.text.contains("sending 1 command") == true)
        (state, effects) = update(
            state, .sent(batch: batch.id, results: [.success("\n")], at: Fixture.start.addingTimeInterval(0.1)))
        #expect(effects.contains(.reread))
        #expect(state.message?.text.contains("checking HAProxy's next snapshot") == true)
        // A snapshot polled before the command does not count; one after it that shows DRAIN does.
        (state, effects) = update(state, snapshot(at: 0.05) { $0[0].1[0].status = "DRAIN" })
        #expect(auditRecords(effects).isEmpty)
        (state, effects) = update(state, snapshot(at: 1) { $0[0].1[0].status = "DRAIN" })
        let records = auditRecords(effects)
        #expect(records.count == 1)
        let record = records[0]
        #expect(record.user == "alice" && record.instance == "demo" && record.object == "ws_chat/s1")
        #expect(record.command == "set server ws_chat/s1 state drain")
        #expect(record.stateBefore == "UP" && record.stateAfter == "DRAIN" && record.result == "took effect")
        #expect(state.message?.text == "drain ws_chat/s1: took effect (UP -> DRAIN)")
        #expect(effects.contains { if case .record(let event) = $0 { event.kind == .operatorAction } else { false } })
        let line = record.jsonLine()
        #expect(
            line.contains(#""state_before":"UP""#) && line.contains(#""state_after":"DRAIN""#)
                && line.contains(#""time":"2027-01-15T08:00:01.000Z""#))
    }

    @Test func anEffectNotSeenInTimeIsReportedAndAudited() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s2")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("m"), .character("y")])
        let batch = sentBatch(effects)!
        (state, _) = update(state, .sent(batch: batch.id, results: [.success("")], at: Fixture.start))
        (state, effects) = update(state, snapshot(at: 1) { _ in })
        #expect(auditRecords(effects).isEmpty)
        (state, effects) = update(state, .tick(Fixture.start.addingTimeInterval(30)))
        let records = auditRecords(effects)
        #expect(records.first?.result == "sent; effect not observed")
        #expect(records.first?.stateAfter == "UP")
        #expect(state.message?.text.contains("sent, but HAProxy still shows UP") == true)
    }

    @Test func quittingWritesTheAuditOfPendingActions() {
        var state = Fixture.select(Fixture.state(), "ws_chat", "s2")
        var effects: [Effect]
        (state, effects) = Fixture.press(state, [.character("r"), .character("y")])
        (state, _) = update(state, .sent(batch: sentBatch(effects)!.id, results: [.success("")], at: Fixture.start))
        (state, effects) = update(state, .quit(reason: "signal 15"))
        #expect(state.shouldQuit)
        #expect(auditRecords(effects).count == 1)
        #expect(effects.last == .quit)
        // A command still waiting for HAProxy's answer is audited too.
        (state, _) = Fixture.press(
            Fixture.select(Fixture.state(), "ws_chat", "s1"), [.character("m"), .character("y")])
        (state, effects) = update(state, .quit(reason: "signal 2"))
        #expect(auditRecords(effects).map(\.result) == ["unknown: haws top quit before HAProxy answered"])
    }

    @Test func anUnwritableAuditLogRefusesActions() {
        var settings = TopSettings(user: "alice")
        settings.auditProblem = "cannot open /root/x: Permission denied"
        let state = Fixture.press(Fixture.select(Fixture.state(settings: settings), "ws_chat", "s1"), [.character("d")])
            .0
        #expect(state.overlay == nil)
        #expect(state.message?.text.contains("the audit log cannot be written") == true)
    }
}
