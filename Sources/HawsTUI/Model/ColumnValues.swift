#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

/// The data behind one table row, resolved from the monitor state.
struct RowData {
    enum Subject {
        case backend(Backend)
        case server(Server, in: Backend)
        case frontend(Frontend)
    }

    let live: LiveInstance
    let snapshot: InstanceSnapshot
    let subject: Subject
    /// Where a server sits in the snapshot (its backend's and its own index), for positional lookups such
    /// as ``ServerRateTable``; `nil` for backends and frontends.
    let position: (backend: Int, server: Int)?

    init?(_ row: TableRow, in monitor: MonitorState?) {
        guard let monitor, row.instance < monitor.instances.count else { return nil }
        let live = monitor.instances[row.instance]
        guard let snapshot = live.snapshot else { return nil }
        self.live = live
        self.snapshot = snapshot
        switch row.id {
        case .frontend:
            guard row.group < snapshot.frontends.count else { return nil }
            subject = .frontend(snapshot.frontends[row.group])
            position = nil
        case .backend, .server:
            guard row.group < snapshot.backends.count else { return nil }
            let backend = snapshot.backends[row.group]
            if let index = row.server {
                guard index < backend.servers.count else { return nil }
                subject = .server(backend.servers[index], in: backend)
                position = (row.group, index)
            } else {
                subject = .backend(backend)
                position = nil
            }
        }
    }

    init(live: LiveInstance, snapshot: InstanceSnapshot, subject: Subject, position: (backend: Int, server: Int)? = nil) {
        self.live = live
        self.snapshot = snapshot
        self.subject = subject
        self.position = position
    }

    /// The rates of the server this row shows; `nil` for other rows and before a second poll.
    var serverRates: ObjectRates? {
        position.flatMap { live.serverRates[backend: $0.backend, server: $0.server] }
    }
}

/// What a cell holds before it is fitted to its column.
enum CellValue {
    enum Unit { case count, rate, bytesRate, seconds, milliseconds }

    case text(String, CellStyle)
    case number(Double?, Unit, CellStyle)
    case spark([Float])
    /// A count the counters only bound (HTTP requests in flight beside tunnels): `12-15`, sorted by the lower bound.
    case bounds(Int, Int)

    static func text(_ string: String) -> CellValue { .text(string, .normal) }
    static func number(_ value: Double?, _ unit: Unit) -> CellValue { .number(value, unit, .normal) }
    static func count(_ value: Int?) -> CellValue { .number(value.map(Double.init), .count, .normal) }
    static let missing = CellValue.text("-", .dim)

    /// The order key: numbers by value, text alphabetically, missing values apart (always last).
    var sortKey: SortKey {
        switch self {
        case .text(let string, _): string == "-" ? .missing : .text(string.lowercased())
        case .number(let value, _, _): value.map(SortKey.number) ?? .missing
        case .spark: .missing
        case .bounds(let lower, _): .number(Double(lower))
        }
    }

    /// The cell's text and style.
    func formatted(glyphs: Glyphs, width: Int) -> (String, CellStyle) {
        switch self {
        case .text(let string, let style):
            return (string, style)
        case .number(nil, _, _):
            return ("-", .dim)
        case .number(let value?, let unit, let style):
            switch unit {
            case .count: return (Format.count(Int(value)), style)
            case .rate: return (Format.rate(value), style)
            case .bytesRate: return (Format.bytes(value), style)
            case .seconds: return (Format.duration(value), style)
            case .milliseconds: return (Format.milliseconds(value), style)
            }
        case .spark(let values):
            return (glyphs.sparkline(values, width: width), CellStyle(.accent))
        case .bounds(let lower, let upper):
            return ("\(Format.count(lower))-\(Format.count(upper))", .dim)
        }
    }
}

enum SortKey: Comparable {
    case number(Double)
    case text(String)
    case missing
}

/// What column values need besides the monitor state.
struct ValueContext {
    var probes: ServerProbes
    var frontendProbes: [String: [ProbeSummary]] = [:]
    var drains: [ServerID: DrainEntry]
    var now: Date
    var glyphs: Glyphs
    /// Sparkline columns read history only for the visible rows.
    var wantsHistory: Bool = true
}

enum ColumnValues {
    static func value(_ column: ColumnID, _ data: RowData, _ context: ValueContext) -> CellValue {
        switch data.subject {
        case .server(let server, let backend): serverValue(column, server, backend, data, context)
        case .backend(let backend): backendValue(column, backend, data, context)
        case .frontend(let frontend): frontendValue(column, frontend, data, context)
        }
    }

    // MARK: Servers

    static func serverStyle(_ status: ServerStatus) -> CellStyle {
        if status.admin == .maint { return CellStyle(.maint, bold: true) }
        if status.admin == .drain { return CellStyle(.drain, bold: true) }
        switch status.operational {
        case .up?: return CellStyle(.ok)
        case .down?: return CellStyle(.critical, bold: true)
        case .goingUp?, .goingDown?, .nolb?: return CellStyle(.warning, bold: true)
        case .noCheck?: return .normal
        case nil: return .dim
        }
    }

    private static func serverValue(
        _ column: ColumnID, _ server: Server, _ backend: Backend, _ data: RowData, _ context: ValueContext
    ) -> CellValue {
        // Looked up only by the columns that need them: sorting 10,000 rows calls this for each.
        var id: ServerID { ServerID(instance: data.live.name, key: server.key) }
        var rates: ObjectRates? { data.serverRates }
        switch column {
        case .name: return .text(server.name)
        case .state: return .text(server.status.raw.isEmpty ? "?" : server.status.raw, serverStyle(server.status))
        case .check:
            guard let check = server.check else { return .missing }
            let style: CellStyle =
                switch check.outcome {
                case .failed: CellStyle(.critical, bold: true)
                case .initializing, .unknown: .dim
                case .passed: .normal
                }
            return .text(check.description, style)
        case .weight: return .count(server.weight)
        case .sessions: return .count(server.sessions)
        case .limit: return .count(server.sessionLimit)
        case .tunnels:
            guard let count = data.snapshot.tunnelCount(of: server) else { return .missing }
            // Bounds only before any dump: after one, its count kept within the bounds (JSON and /metrics say
            // whether it is exact).
            return count.isExact || count.ages != nil || data.snapshot.serverTunnels != nil
                ? .count(count.count) : .bounds(count.lower, count.upper)
        case .upgrades: return .number(rates?.upgrades, .rate)
        case .tunnelAge: return .number(data.snapshot.tunnels(of: server)?.oldestSeconds.map(Double.init), .seconds)
        case .probe: return probeVerdict(context.probes[id])
        case .handshakeP95: return .number(context.probes[id]?.handshakeP95Milliseconds, .milliseconds)
        case .requestRate: return .number(rates?.requests, .rate)
        case .sessionRate: return .number(rates?.sessions, .rate)
        case .errors: return .count(server.errors)
        case .errorRate: return .number(rates?.errors, .rate)
        case .queue:
            return .number(Double(server.queue), .count, server.queue > 0 ? CellStyle(.warning, bold: true) : .normal)
        case .inRate: return .number(rates?.bytesIn, .bytesRate)
        case .outRate: return .number(rates?.bytesOut, .bytesRate)
        case .address: return data.snapshot.address(of: server).map { .text($0) } ?? .missing
        case .lastChange: return .number(server.secondsSinceChange.map(Double.init), .seconds)
        case .drain:
            guard let entry = context.drains[id] else { return .missing }
            return .text(DrainText.compact(entry, now: context.now, glyphs: context.glyphs), CellStyle(.drain))
        case .sparkTunnels:
            guard context.wantsHistory else { return .spark([]) }
            return .spark(data.live.serverTunnelHistory.values(of: server.key) ?? [])
        case .sparkUpgrades: return .missing
        case .denied, .mode: return .missing
        }
    }

    /// PROBE: `pass` green, `FAIL` red and bold, `n/a` dim; the same for servers and frontends.
    private static func probeVerdict(_ probe: ProbeSummary?) -> CellValue {
        guard let probe else { return .missing }
        guard probe.probeable else { return .text(probe.verdict, .dim) }
        return .text(probe.verdict, CellStyle(probe.passed ? .ok : .critical, bold: !probe.passed))
    }

    // MARK: Backends

    static func backendStyle(_ backend: Backend) -> CellStyle {
        if backend.hasNoServerUp { return CellStyle(.critical, bold: true) }
        if backend.servers.contains(where: { $0.status.isDown }) { return CellStyle(.warning, bold: true) }
        return CellStyle(.ok)
    }

    private static func backendValue(_ column: ColumnID, _ backend: Backend, _ data: RowData, _ context: ValueContext)
        -> CellValue
    {
        var rates: ObjectRates? { data.live.backendRates[backend.name] }
        switch column {
        case .name: return .text(backend.name)
        case .state:
            let up = backend.servers.filter { $0.status.isAlive && $0.status.admin != .maint }.count
            let status = backend.status.isEmpty ? "?" : backend.status
            return .text(
                backend.servers.isEmpty ? status : "\(status) \(up)/\(backend.servers.count)", backendStyle(backend))
        case .check, .probe, .handshakeP95, .drain, .address: return .missing
        case .weight: return .count(backend.weight)
        case .sessions: return .count(backend.sessions)
        case .limit: return .count(backend.sessionLimit)
        case .tunnels: return .count(data.snapshot.tunnels(of: backend))
        case .upgrades: return .number(rates?.upgrades, .rate)
        case .tunnelAge:
            let ages = backend.servers.compactMap { data.snapshot.tunnels(of: $0)?.oldestSeconds }
            return .number(ages.max().map(Double.init), .seconds)
        case .requestRate: return .number(rates?.requests, .rate)
        case .sessionRate: return .number(rates?.sessions, .rate)
        case .errors: return .count(backend.errors)
        case .errorRate: return .number(rates?.errors, .rate)
        case .queue:
            return .number(Double(backend.queue), .count, backend.queue > 0 ? CellStyle(.warning, bold: true) : .normal)
        case .inRate: return .number(rates?.bytesIn, .bytesRate)
        case .outRate: return .number(rates?.bytesOut, .bytesRate)
        case .lastChange: return .number(backend.secondsSinceChange.map(Double.init), .seconds)
        case .sparkTunnels:
            guard context.wantsHistory else { return .spark([]) }
            return .spark(data.live.backendTunnelHistory[backend.name]?.elements ?? [])
        case .sparkUpgrades:
            guard context.wantsHistory else { return .spark([]) }
            return .spark(data.live.backendUpgradeRateHistory[backend.name]?.elements ?? [])
        case .denied, .mode: return .missing
        }
    }

    // MARK: Frontends

    private static func frontendValue(
        _ column: ColumnID, _ frontend: Frontend, _ data: RowData, _ context: ValueContext
    ) -> CellValue {
        var rates: ObjectRates? { data.live.frontendRates[frontend.name] }
        var probe: ProbeSummary? { context.frontendProbes[frontend.name].flatMap(ProbeSummary.combined) }
        switch column {
        case .name: return .text(frontend.name)
        case .state:
            let style: CellStyle =
                switch frontend.status.uppercased() {
                case "OPEN": CellStyle(.ok)
                case "FULL": CellStyle(.critical, bold: true)
                default: CellStyle(.warning, bold: true)
                }
            return .text(frontend.status, style)
        case .sessions: return .count(frontend.sessions)
        case .limit: return .count(frontend.sessionLimit)
        case .sessionRate: return .number(rates?.sessions ?? Double(frontend.sessionRate), .rate)
        case .requestRate: return .number(rates?.requests ?? Double(frontend.requestRate), .rate)
        case .errors: return .count(frontend.requestErrors)
        case .errorRate: return .number(rates?.errors, .rate)
        case .denied: return .count(frontend.deniedRequests)
        case .inRate: return .number(rates?.bytesIn, .bytesRate)
        case .outRate: return .number(rates?.bytesOut, .bytesRate)
        case .mode: return frontend.mode.map { .text($0) } ?? .missing
        case .probe: return probeVerdict(probe)
        case .handshakeP95: return .number(probe?.handshakeP95Milliseconds, .milliseconds)
        default: return .missing
        }
    }
}

/// Drain progress as text.
enum DrainText {
    /// `12/30 ↓0.8/s 15s +2`: tunnels now / at start, rate of decrease, ETA, arrivals since start.
    static func compact(_ entry: DrainEntry, now: Date, glyphs: Glyphs) -> String {
        let tracker = entry.tracker
        if tracker.tunnels == 0 {
            return "0/\(tracker.tunnelsAtStart) drained" + (tracker.maintRequested ? " ->MAINT" : "")
        }
        var parts = ["\(tracker.tunnels)/\(tracker.tunnelsAtStart)"]
        parts.append(tracker.decreasePerSecond.map { "\(glyphs.down)\(Format.rate($0))/s" } ?? "\(glyphs.down)?")
        parts.append(tracker.etaSeconds.map { "ETA \(Format.duration($0))" } ?? "ETA -")
        if let arrived = tracker.arrivedSinceStart, arrived > 0 { parts.append("+\(arrived)") }
        return parts.joined(separator: " ")
    }

    /// The long form for the drain strip and the detail pane.
    static func full(_ entry: DrainEntry, now: Date, glyphs: Glyphs) -> String {
        let tracker = entry.tracker
        let unit = entry.countsSessions ? "sessions" : "tunnels"
        var text = "\(tracker.tunnels) \(unit) now, \(tracker.tunnelsAtStart) at start"
        if let rate = tracker.decreasePerSecond { text += ", \(glyphs.down)\(Format.rate(rate))/s" }
        if tracker.tunnels > 0 { text += ", ETA " + (tracker.etaSeconds.map { Format.duration($0) } ?? "-") }
        text += ", \(tracker.arrivedSinceStart.map(String.init) ?? "?") new since start"
        text += ", \(Format.duration(tracker.elapsed(at: now))) elapsed"
        if tracker.options.maintWhenEmpty { text += tracker.maintRequested ? ", MAINT sent" : ", MAINT at 0" }
        if let due = tracker.deadlineDate, tracker.tunnels > 0 {
            let left = due.timeIntervalSince(now)
            text += left > 0 ? ", deadline in \(Format.duration(left))" : ", deadline passed"
        }
        return text
    }
}
