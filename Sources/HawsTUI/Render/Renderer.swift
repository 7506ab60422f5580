#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor
import HawsProbe

/// Draws a ``TopState`` into a ``ScreenBuffer``: pure, touches only the visible rows, and knows
/// nothing about ncurses.
public enum Renderer {
    public static func render(_ state: TopState, size: TerminalSize) -> ScreenBuffer {
        var screen = ScreenBuffer(size: size)
        let layout = Layout(state: state, size: size)
        if layout.isTooSmall {
            drawTooSmall(&screen, state)
            return screen
        }
        var painter = Painter(state: state, layout: layout, screen: screen)
        painter.drawTitle()
        painter.drawInstances()
        painter.drawTable()
        painter.drawDrains()
        painter.drawEvents()
        painter.drawDetail()
        painter.drawFooter()
        painter.drawOverlay()
        return painter.screen
    }

    static func drawTooSmall(_ screen: inout ScreenBuffer, _ state: TopState) {
        let size = screen.size
        let lines = [
            "haws top needs at least \(Layout.minimum.columns)x\(Layout.minimum.rows)",
            "this terminal is \(size.columns)x\(size.rows)",
            "enlarge it (still watching; q quits)",
        ]
        let top = max(0, (size.rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let x = max(0, (size.columns - DisplayWidth.of(line)) / 2)
            screen.write(line, x: x, y: top + index, style: index == 0 ? CellStyle(.warning, bold: true) : .normal)
        }
        if state.isReadOnly, size.rows > 0 {
            screen.write("READ-ONLY", x: 0, y: 0, style: CellStyle(.warning, bold: true))
        }
    }
}

/// One frame being drawn.
struct Painter {
    let state: TopState
    let layout: Layout
    var screen: ScreenBuffer
    var glyphs: Glyphs { state.settings.glyphs }
    var width: Int { layout.size.columns }

    init(state: TopState, layout: Layout, screen: ScreenBuffer) {
        self.state = state
        self.layout = layout
        self.screen = screen
    }

    // MARK: - Helpers

    /// Writes styled pieces from `x` on row `y`, separated by `gap` blanks, up to `limit`.
    @discardableResult
    mutating func segments(_ pieces: [(String, CellStyle)], x: Int, y: Int, limit: Int, gap: Int = 2) -> Int {
        var column = x
        for (index, piece) in pieces.enumerated() where !piece.0.isEmpty {
            if index > 0, column > x { column += gap }
            guard column < limit else { break }
            column += screen.write(piece.0, x: column, y: y, maxWidth: limit - column, style: piece.1)
        }
        return column
    }

    /// A frame with a title; the inside is blanked.
    mutating func box(_ rect: Rect, title: String, style: CellStyle = .border) {
        guard rect.width >= 4, rect.height >= 2 else { return }
        for y in rect.rows { screen.fill(x: rect.x, y: y, width: rect.width) }
        let horizontal = String(repeating: glyphs.horizontal, count: rect.width - 2)
        screen.write(String(glyphs.topLeft) + horizontal + String(glyphs.topRight), x: rect.x, y: rect.y, style: style)
        screen.write(
            String(glyphs.bottomLeft) + horizontal + String(glyphs.bottomRight), x: rect.x, y: rect.y + rect.height - 1,
            style: style)
        for y in (rect.y + 1)..<(rect.y + rect.height - 1) {
            screen.write(String(glyphs.vertical), x: rect.x, y: y, style: style)
            screen.write(String(glyphs.vertical), x: rect.x + rect.width - 1, y: y, style: style)
        }
        if !title.isEmpty {
            screen.write(
                " \(title) ", x: rect.x + 2, y: rect.y, maxWidth: rect.width - 4, style: CellStyle(.header, bold: true))
        }
    }

    /// A horizontal rule with a title, for panes that span the width.
    mutating func rule(y: Int, x: Int, width: Int, title: String) {
        screen.write(String(repeating: glyphs.horizontal, count: max(0, width)), x: x, y: y, style: .border)
        screen.write(" \(title) ", x: x + 1, y: y, maxWidth: max(0, width - 2), style: CellStyle(.header, bold: true))
    }

    // MARK: - Title bar

    mutating func drawTitle() {
        screen.fill(x: 0, y: 0, width: width, style: .title)
        var pieces: [(String, CellStyle)] = [(" haws top", CellStyle(.title, bold: true, reverse: true))]
        for (index, view) in state.views.enumerated() {
            let label = index < 9 ? "\(index + 1):\(view.name)" : view.name
            pieces.append((label, index == state.viewIndex ? CellStyle(.accent, bold: true) : .title))
        }
        var right: [(String, CellStyle)] = []
        if state.paused { right.append(("PAUSED", CellStyle(.warning, bold: true))) }
        if state.isReadOnly { right.append(("READ-ONLY", CellStyle(.warning, bold: true))) }
        if let filter = state.filter { right.append(("filter: \(filter.text)", CellStyle(.title, reverse: true))) }
        if let budget = state.probeBudget { right.append((Self.probeCost(budget), .title)) }
        right.append((Format.clock(state.now) + " ", .title))
        let rightWidth = right.reduce(0) { $0 + DisplayWidth.of($1.0) + 1 }
        segments(pieces, x: 0, y: 0, limit: max(0, width - rightWidth - 1), gap: 2)
        segments(right, x: max(0, width - rightWidth + 1), y: 0, limit: width, gap: 1)
    }

    /// `probes 1.2%/3% cpu, every 1m40s`: what probing costs against its budget and the period that buys, so a long
    /// period reads as the budget's choice, not a fault.
    static func probeCost(_ budget: ProbeBoard.Budget) -> String {
        func percent(_ share: Double) -> String {
            let value = share * 100
            return value < 10 ? "\((value * 10).rounded() / 10)%" : "\(Int(value.rounded()))%"
        }
        let limit = budget.limit.map { "/" + percent($0) } ?? ""
        return "probes \(percent(budget.used))\(limit) cpu, every \(Format.duration(budget.period.seconds))"
    }

    // MARK: - Instances

    mutating func drawInstances() {
        let instances = state.shown?.instances ?? state.live?.instances ?? []
        let lines = layout.instanceLines
        if instances.isEmpty {
            screen.write(" waiting for the first poll...", x: 0, y: lines.lowerBound, style: .dim)
            return
        }
        for (offset, y) in lines.enumerated() where offset < instances.count {
            if offset == lines.count - 1, instances.count > lines.count {
                let rest = instances[offset...]
                let down = rest.filter { if case .reachable = $0.health { false } else { true } }.count
                screen.write(
                    " + \(rest.count) more instances (\(down) not reachable)", x: 0, y: y,
                    style: down > 0 ? CellStyle(.warning, bold: true) : .dim)
                break
            }
            // Health comes from the live state even when paused: a lost instance must show.
            let name = instances[offset].name
            let instance = state.live?.instances.first { $0.name == name } ?? instances[offset]
            drawInstance(instance, y: y)
        }
    }

    /// Most urgent first, so a narrow terminal cuts the least useful: health and poll age, load
    /// and tunnels, what went wrong, then the instance's identity.
    mutating func drawInstance(_ instance: LiveInstance, y: Int) {
        var pieces: [(String, CellStyle)] = []
        let healthStyle: CellStyle
        switch instance.health {
        case .reachable: healthStyle = CellStyle(.ok)
        case .stale: healthStyle = CellStyle(.warning, bold: true)
        case .unreachable: healthStyle = CellStyle(.critical, bold: true)
        case .waiting: healthStyle = .dim
        }
        let healthy = if case .reachable = instance.health { true } else { false }
        screen.write(healthy ? glyphs.good : glyphs.bad, x: 1, y: y, style: healthStyle)
        pieces.append((instance.name, CellStyle(.normal, bold: true)))
        pieces.append((instance.health.label, healthStyle))
        if let last = instance.lastGoodPoll {
            let age = max(0, state.now.timeIntervalSince(last))
            pieces.append(("poll \(Format.duration(age)) ago", age > 5 ? CellStyle(.warning, bold: true) : .dim))
        }
        if state.settings.readOnly || !(state.access[instance.name] ?? .unknown).allowsActions {
            pieces.append(("read-only", CellStyle(.warning, bold: true)))
        }
        if case .unreachable(let error) = instance.health { pieces.append((error, CellStyle(.critical))) }
        if let snapshot = instance.snapshot {
            if let info = snapshot.info, let current = info.currentConnections {
                let limit = info.maxConnections
                let busy = limit.map { $0 > 0 && Double(current) >= 0.8 * Double($0) } ?? false
                pieces.append(
                    (
                        "conns \(current)/\(limit.map(String.init) ?? "-")",
                        busy ? CellStyle(.warning, bold: true) : .normal
                    ))
            }
            var tunnels = "tunnels \(state.tunnelTotals[instance.name].map(String.init) ?? "-")"
            if snapshot.oldWorkerTunnels != nil {
                let partial = snapshot.oldWorkerTunnelsArePartial ? ", partial" : ""
                tunnels += " (+\(snapshot.oldWorkerTunnelTotal) old workers\(partial))"
            }
            pieces.append((tunnels, CellStyle(.accent)))
            pieces.append(("upg \(instance.upgradesPerSecond.map(Format.rate) ?? "-")/s", .normal))
        }
        if let info = instance.snapshot?.info {
            if let node = info.node { pieces.append(("node \(node)", .normal)) }
            if let version = info.version { pieces.append(("v\(version)", .dim)) }
            if let pid = info.pid { pieces.append(("pid \(pid)", .dim)) }
            if let uptime = info.uptimeSeconds { pieces.append(("up \(Format.duration(Double(uptime)))", .dim)) }
        }
        // Last, so a narrow terminal cuts it first.
        if instance.snapshot != nil {
            pieces.append((Self.costText(instance.cost), instance.cost.sessionIntervalStretched ? CellStyle(.warning) : .dim))
        }
        segments(pieces, x: 3, y: y, limit: width)
    }

    // MARK: - Table

    /// The columns that fit in `width`, the name column widened with the room left.
    /// When columns are hidden, room is kept at the right for the `+N…` note.
    static func fittedColumns(_ view: ViewDefinition, width: Int) -> (columns: [ColumnSpec], hidden: Int) {
        let total = view.columns.reduce(0) { $0 + $1.width } + max(0, view.columns.count - 1)
        let room = total <= width ? width : width - 5
        var used = 0
        var fitted: [ColumnSpec] = []
        for column in view.columns {
            let need = column.width + (fitted.isEmpty ? 0 : 1)
            if used + need > room, !fitted.isEmpty { break }
            fitted.append(column)
            used += need
        }
        let hidden = view.columns.count - fitted.count
        if let index = fitted.firstIndex(where: { $0.id == .name }) {
            fitted[index].width += max(0, min(room - used, 24))
        }
        return (fitted, hidden)
    }

    mutating func drawTable() {
        let rect = layout.table
        let (columns, hidden) = Self.fittedColumns(state.view, width: rect.width)
        // Column headers.
        let headerY = layout.columnHeader
        screen.fill(x: rect.x, y: headerY, width: rect.width, style: .header)
        var x = rect.x
        for column in columns {
            var title = column.title
            if state.sort.column == column.id {
                // The arrow replaces the title's last letter when both do not fit.
                let arrow = state.sort.descending ? glyphs.down : glyphs.up
                while DisplayWidth.of(title) + 1 > column.width, !title.isEmpty { title.removeLast() }
                title += arrow
            }
            screen.write(
                title, x: x, y: headerY, width: column.width, alignment: column.alignment, ellipsis: glyphs.ellipsis,
                style: .header)
            x += column.width + 1
        }
        if hidden > 0 {
            let note = "+\(hidden)\(glyphs.ellipsis)"
            screen.write(
                note, x: rect.x + rect.width - DisplayWidth.of(note), y: headerY, style: CellStyle(.dim, bold: true))
        }
        // Body.
        if state.rows.isEmpty {
            let text: String
            if state.shown == nil {
                text = "waiting for the first poll..."
            } else if state.filter != nil {
                text =
                    "no \(state.view.kind == .frontends ? "frontend" : "backend or server") matches the filter \"\(state.filter!.text)\" (/ to change, Esc in the filter to cancel)"
            } else if state.shown?.instances.allSatisfy({ $0.snapshot == nil }) == true {
                text = "no data yet: no instance has answered (see the header)"
            } else {
                text = "nothing to show in this view"
            }
            screen.write(text, x: rect.x + 1, y: rect.y, maxWidth: rect.width - 2, style: .dim)
            return
        }
        let context = ValueContext(
            probes: state.probes, frontendProbes: state.frontendProbes, drains: state.drains, now: state.now,
            glyphs: glyphs)
        let multipleInstances = (state.shown?.instances.count ?? 0) > 1
        let end = min(state.rows.count, state.scroll + rect.height)
        guard state.scroll < end else { return }
        for (offset, index) in (state.scroll..<end).enumerated() {
            let y = rect.y + offset
            let row = state.rows[index]
            guard let data = RowData(row, in: state.shown) else { continue }
            var x = rect.x
            for column in columns {
                if column.id == .name {
                    drawName(row, data, x: x, y: y, width: column.width, multipleInstances: multipleInstances)
                } else {
                    let (text, style) = ColumnValues.value(column.id, data, context).formatted(
                        glyphs: glyphs, width: column.width)
                    screen.write(
                        text, x: x, y: y, width: column.width, alignment: column.alignment, ellipsis: glyphs.ellipsis,
                        style: style)
                }
                x += column.width + 1
            }
            if index == state.cursor {
                screen.restyle(x: rect.x, y: y, width: rect.width) { $0.reverse = true }
            }
        }
        // Scroll position, when the rows do not fit.
        if state.rows.count > rect.height, rect.height > 0 {
            let note = " \(state.cursor + 1)/\(state.rows.count) "
            screen.write(
                note, x: rect.x + rect.width - DisplayWidth.of(note) - (hidden > 0 ? 6 : 0), y: headerY,
                style: CellStyle(.dim))
        }
    }

    mutating func drawName(_ row: TableRow, _ data: RowData, x: Int, y: Int, width: Int, multipleInstances: Bool) {
        var text: String
        var style = CellStyle.normal
        switch data.subject {
        case .backend(let backend):
            text =
                (row.isCollapsed ? glyphs.collapsed : glyphs.expanded) + (multipleInstances ? "\(data.live.name):" : "")
                + backend.name
            if row.isCollapsed, !backend.servers.isEmpty { text += " (\(backend.servers.count))" }
            style = CellStyle(.normal, bold: true)
        case .server(let server, _):
            let id = ServerID(instance: data.live.name, key: server.key)
            let mark = state.marked.contains(id)
            text =
                (mark ? glyphs.marked : " ") + " " + (row.isLastChild ? glyphs.lastBranch : glyphs.branch) + server.name
            if mark { style = CellStyle(.accent, bold: true) }
            if server.isBackup { text += " (bk)" }
        case .frontend(let frontend):
            text = (multipleInstances ? "\(data.live.name):" : "") + frontend.name
        }
        screen.write(text, x: x, y: y, width: width, alignment: .left, ellipsis: glyphs.ellipsis, style: style)
    }

    // MARK: - Drain strip

    mutating func drawDrains() {
        guard let rect = layout.drains else { return }
        let entries = state.drains.sorted { $0.key < $1.key }
        for (offset, (id, entry)) in entries.prefix(rect.height).enumerated() {
            let y = rect.y + offset
            var text = "\(id.key)"
            if (state.live?.instances.count ?? 0) > 1 { text = "\(id.instance): " + text }
            var pieces: [(String, CellStyle)] = [
                ("DRAIN", CellStyle(.drain, bold: true, reverse: true)), (text, CellStyle(.normal, bold: true)),
            ]
            pieces.append((DrainText.full(entry, now: state.now, glyphs: glyphs), CellStyle(.drain)))
            if offset == rect.height - 1, entries.count > rect.height {
                pieces.append(("(+\(entries.count - rect.height) more drains)", .dim))
            }
            segments(pieces, x: 1, y: y, limit: width, gap: 1)
        }
    }

    // MARK: - Event log

    mutating func drawEvents() {
        guard let rect = layout.events else { return }
        let events = state.live?.events ?? []
        rule(y: rect.y, x: 0, width: rect.width, title: "Events (\(events.count), newest first; e closes)")
        if events.isEmpty {
            screen.write(
                "no events yet: state changes, reloads, reachability and actions show here", x: 1, y: rect.y + 1,
                style: .dim)
            return
        }
        let multiple = (state.live?.instances.count ?? 0) > 1
        for (offset, event) in events.reversed().prefix(rect.height - 1).enumerated() {
            let y = rect.y + 1 + offset
            var pieces: [(String, CellStyle)] = [(Format.clock(event.time), .dim)]
            if multiple { pieces.append((event.instance, CellStyle(.normal, bold: true))) }
            pieces.append((event.summary, Self.style(of: event)))
            segments(pieces, x: 1, y: y, limit: rect.width, gap: 1)
        }
    }

    static func style(of event: MonitorEvent) -> CellStyle {
        switch event.kind {
        case .instanceUnreachable, .probeFailure: return CellStyle(.critical, bold: true)
        case .instanceRecovered, .probeRecovered: return CellStyle(.ok)
        case .reload, .serverAdded, .serverRemoved: return CellStyle(.warning)
        case .operatorAction: return CellStyle(.accent)
        case .serverState, .checkStatus:
            let after = ServerStatus(event.after ?? "")
            if after.isDown { return CellStyle(.critical, bold: true) }
            if after.admin == .maint { return CellStyle(.maint) }
            if after.admin == .drain { return CellStyle(.drain) }
            if event.kind == .checkStatus, CheckStatus(event.after ?? "")?.outcome == .failed {
                return CellStyle(.critical)
            }
            return CellStyle(.ok)
        }
    }

    // MARK: - Footer

    mutating func drawFooter() {
        let y = layout.footer
        screen.fill(x: 0, y: y, width: width)
        if let input = state.filterInput {
            var pieces: [(String, CellStyle)] = [("/" + input + "_", CellStyle(.accent, bold: true))]
            if let error = state.filterError {
                pieces.append((error, CellStyle(.critical, bold: true)))
            } else {
                pieces.append(
                    ("\(state.rows.count) rows  (regex on backend/server; ! inverts; Enter keeps, Esc cancels)", .dim))
            }
            segments(pieces, x: 0, y: y, limit: width)
            return
        }
        if let message = state.message {
            let style: CellStyle =
                switch message.severity {
                case .info: .normal
                case .success: CellStyle(.ok, bold: true)
                case .warning: CellStyle(.warning, bold: true)
                case .error: CellStyle(.critical, bold: true)
                }
            screen.write(message.text, x: 0, y: y, maxWidth: width, style: style)
            return
        }
        let hints =
            "?:help  /:filter  s/S:sort  tab:view  enter:detail  space:fold  x:mark  d/r/m/w/K:act  e:events  p:pause  D:doctor  q:quit"
        screen.write(hints, x: 0, y: y, maxWidth: width, style: .dim)
    }

    /// What watching the instance costs, e.g. `cost stat 12ms 2.2M · sess 1.0s 31M (HAProxy 240ms) every 48s
    /// (budget)`: the last `show stat` and `show sess all` (time and bytes; the dump's HAProxy time when its
    /// paced read took longer) and the dump interval in force, and why.
    static func costText(_ cost: InstanceCost) -> String {
        var text = "cost"
        if let stat = cost.lastCommands.first {
            text += " stat \(Format.milliseconds(stat.seconds * 1_000)) \(Format.bytes(Double(stat.bytes)))"
        }
        if let dump = cost.lastSessionDump {
            text += " · sess \(Format.milliseconds(dump.seconds * 1_000)) \(Format.bytes(Double(dump.bytes)))"
            if dump.haproxySeconds < dump.seconds { text += " (HAProxy \(Format.milliseconds(dump.haproxySeconds * 1_000)))" }
        }
        if let interval = cost.sessionInterval {
            text += " every \(Format.duration(interval.seconds))"
            if let reason = cost.sessionIntervalReason { text += " (\(reason.rawValue))" }
        }
        return text
    }
}
