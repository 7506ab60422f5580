#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor
import HawsProbe

/// Settings that do not change while the dashboard runs.
public struct TopSettings: Sendable, Hashable {
    /// Written into every audit line.
    public var user: String
    /// `--read-only`: no action is ever sent.
    public var readOnly: Bool
    /// Default of the drain dialog: after this long, offer to shut the remaining sessions down.
    public var drainDeadline: Duration?
    /// The engine's cadences, to know how long to wait before judging whether an action took effect.
    public var statsInterval: Duration
    public var tunnelsInterval: Duration
    /// Where the audit log is; `auditProblem` says why it cannot be written (actions are then refused).
    public var auditLogPath: String
    public var auditProblem: String?
    public var glyphs: Glyphs
    /// Time between probe rounds; `nil` when the dashboard does not probe (`--no-probe`).
    public var probeInterval: Duration?

    public init(
        user: String = "unknown", readOnly: Bool = false, drainDeadline: Duration? = .seconds(600),
        statsInterval: Duration = .seconds(1), tunnelsInterval: Duration = .seconds(5), auditLogPath: String = "",
        auditProblem: String? = nil, glyphs: Glyphs = .unicode, probeInterval: Duration? = nil
    ) {
        self.user = user
        self.readOnly = readOnly
        self.drainDeadline = drainDeadline
        self.statsInterval = statsInterval
        self.tunnelsInterval = tunnelsInterval
        self.auditLogPath = auditLogPath
        self.auditProblem = auditProblem
        self.glyphs = glyphs
        self.probeInterval = probeInterval
    }
}

/// A line at the bottom of the screen: the answer to the last key or action.
public struct StatusMessage: Sendable, Hashable {
    public enum Severity: Sendable, Hashable { case info, success, warning, error }
    public var text: String
    public var severity: Severity
    /// When it goes away by itself; `nil`: at the next key.
    public var until: Date?

    public init(_ text: String, _ severity: Severity = .info, until: Date? = nil) {
        self.text = text
        self.severity = severity
        self.until = until
    }
}

/// The confirmation every action goes through: the exact commands and the servers they touch.
public struct ConfirmDialog: Sendable, Hashable {
    public var batch: ActionBatch
    /// Drains only: switch to MAINT at zero tunnels (`a` toggles).
    public var maintWhenEmpty: Bool
    /// Drains only: when to offer the shutdown of what remains.
    public var deadline: Duration?
}

/// The weight prompt of `w`, before its confirmation.
public struct WeightPrompt: Sendable, Hashable {
    public var targets: [ServerID]
    public var text: String
    public var error: String?
}

/// What is drawn over the table and takes the keys while it is open.
public enum Overlay: Sendable, Hashable {
    case help
    case confirm(ConfirmDialog)
    case weight(WeightPrompt)
    /// `q` while drains with pending automatic steps are tracked.
    case quit
    /// `D`: the doctor's findings (``TopState/doctor``).
    case doctor
}

/// An action whose commands were sent and whose effect is being looked for in the next snapshots.
public struct Verification: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case tookEffect(after: String)
        case notObserved(after: String?)
        case failed(ActionFailure)

        var auditResult: String {
            switch self {
            case .tookEffect: "took effect"
            case .notObserved: "sent; effect not observed"
            case .failed(let failure): "failed: \(failure.message)"
            }
        }
    }

    public var batch: ActionBatch
    public var sentAt: Date
    public var deadline: Date
    public var outcomes: [Outcome?]

    public var isComplete: Bool { outcomes.allSatisfy { $0 != nil } }
}

/// A drain being followed to zero.
public struct DrainEntry: Sendable, Hashable {
    public var tracker: DrainTracker
    /// The last reading counted the server's sessions (`scur`): neither an exact count nor a session list gave
    /// its tunnels (``InstanceSnapshot/drainCount(of:)``).
    public var countsSessions: Bool
    /// The tunnel reading last fed to the tracker (a new one is needed for a new observation).
    public var lastReadingAt: Date?
    /// The tracker was started from the last reading before the command; the first reading taken
    /// after it replaces that start, so "at start" is what the server held when the drain began
    /// (tunnels are counted every few seconds, the command can land between two counts).
    public var awaitingFirstReading = true
    /// A snapshot has shown the server in DRAIN: a later READY is someone else's change.
    public var confirmed = false
}

/// Everything the dashboard shows and remembers: the model of model → update → view.
///
/// A value: ``update(_:_:)`` returns a new one with the effects to run, ``Renderer/render(_:size:)``
/// draws it. Derived rows (filtered, sorted, collapsed) are kept here and rebuilt only when their
/// inputs change, so drawing a frame touches only the visible rows.
public struct TopState: Sendable {
    public var settings: TopSettings
    public var views: [ViewDefinition]
    public var viewIndex = 0
    /// Sort chosen per view (by view name); the view's default until `s`/`S` is pressed.
    public var sorts: [String: SortSpec] = [:]
    public var size: TerminalSize
    public var now: Date

    /// The newest engine state, whether or not the screen is paused.
    public var live: MonitorState?
    /// What the screen shows: `live`, or the state at the moment `p` was pressed.
    public var shown: MonitorState?
    public var paused = false
    /// Tunnel totals per instance of `live`, summed once per snapshot rather than once per frame
    /// (10,000 servers make the sum the costliest part of a frame).
    public internal(set) var tunnelTotals: [String: Int] = [:]
    public var probes: ServerProbes = [:]
    /// Probes through HAProxy by the frontend they enter (``ProbeSummaries/frontends``).
    public var frontendProbes: [String: [ProbeSummary]] = [:]
    /// The probe budget after the latest round (title bar); `nil` before the first or without probes.
    public var probeBudget: ProbeBoard.Budget?
    public var access: [String: InstanceAccess] = [:]

    public var filter: RowFilter?
    /// While `/` is being typed: the text so far (the filter applies live).
    public var filterInput: String?
    public var filterError: String?
    /// The filter to restore when the edit is cancelled with Esc.
    var filterBeforeEditing: RowFilter?
    public var collapsed: Set<BackendID> = []
    public var marked: Set<ServerID> = []

    public internal(set) var rows: [TableRow] = []
    public var selection: RowID?
    public var cursor = 0
    public var scroll = 0
    public var showDetail = false
    public var detailScroll = 0
    public var showEvents = false

    public var overlay: Overlay?
    public var doctor = DoctorPane()
    public var message: StatusMessage?
    public var nextBatchID = 1
    /// Sent, waiting for the executor's answers.
    public var inFlight: [Int: ActionBatch] = [:]
    public var verifications: [Int: Verification] = [:]
    public var drains: [ServerID: DrainEntry] = [:]
    public var shouldQuit = false

    public init(settings: TopSettings, views: [ViewDefinition], size: TerminalSize, now: Date, messages: [String] = [])
    {
        self.settings = settings
        self.views = views.isEmpty ? ViewLoader.builtin() : views
        self.size = size
        self.now = now
        if !messages.isEmpty {
            message = StatusMessage(messages.joined(separator: "; "), .error, until: now.addingTimeInterval(30))
        }
    }

    public var view: ViewDefinition { views[min(max(0, viewIndex), views.count - 1)] }
    public var sort: SortSpec { sorts[view.name] ?? view.sort }

    /// The instance's live data, by name.
    func liveInstance(_ name: String) -> LiveInstance? {
        live?.instances.first { $0.name == name }
    }

    /// Whether actions on `instance` are refused, and why.
    func refusal(for instance: String) -> String? {
        if settings.readOnly { return "haws top was started with --read-only" }
        return access[instance]?.refusalReason
    }

    /// True when no action can be sent anywhere: the header then says READ-ONLY.
    public var isReadOnly: Bool {
        if settings.readOnly { return true }
        guard let instances = live?.instances, !instances.isEmpty else { return false }
        return instances.allSatisfy { !(access[$0.name] ?? .unknown).allowsActions }
    }
}
