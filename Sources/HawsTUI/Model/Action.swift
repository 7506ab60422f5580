#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsDoctor
import HawsMonitor

/// Everything that can change the dashboard's state: keys, time, data, and answers to effects.
public enum Action: Sendable {
    case key(Key)
    case resized(TerminalSize)
    /// The clock moved (the UI loop's tick): poll ages, drain ETAs, deadlines, message expiry.
    case tick(Date)
    /// A new engine state.
    case monitor(MonitorState, at: Date)
    /// What an instance's socket allows, found out at start (`show cli level`).
    case access(instance: String, InstanceAccess)
    /// Probe results, when the probe is wired in.
    case probes(ProbeSummaries)
    /// The executor's answers for a batch, in the order of its items.
    case sent(batch: Int, results: [Result<String, ActionFailure>], at: Date)
    case auditFailed(String)
    /// A doctor report, the answer to ``Effect/runDoctor``.
    case doctor(DoctorReport, at: Date)
    /// SIGINT, SIGTERM, SIGHUP or the terminal went away.
    case quit(reason: String)
}

/// Work `update` asks the runtime to do; its outcome comes back as an ``Action``.
public enum Effect: Sendable, Hashable {
    /// Send the commands (off the UI loop) and answer with ``Action/sent(batch:results:at:)``.
    case send(ActionBatch)
    /// Poll every instance now, so the effect of an action shows without waiting for the cadence.
    case reread
    /// Append lines to the audit log.
    case audit([AuditRecord])
    /// Put an event into the engine's event log (operator actions).
    case record(MonitorEvent)
    /// Run the doctor on the newest engine state (off the UI loop) and answer with ``Action/doctor(_:at:)``.
    case runDoctor
    /// Repaint the whole terminal (`Ctrl-L`).
    case redraw
    /// Leave: restore the terminal and exit.
    case quit
}
