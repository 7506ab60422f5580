#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

/// The dashboard's only state transition: pure, so every key and every snapshot can be tested
/// without a terminal, a socket or a clock.
public func update(_ state: TopState, _ action: Action) -> (TopState, [Effect]) {
    var next = state
    var effects: [Effect] = []
    next.reduce(action, &effects)
    return (next, effects)
}

extension TopState {
    mutating func reduce(_ action: Action, _ effects: inout [Effect]) {
        switch action {
        case .key(let key):
            handle(key, &effects)
        case .resized(let size):
            self.size = size
            keepSelectionVisible()
        case .tick(let date):
            now = date
            if let until = message?.until, until <= now { message = nil }
            checkVerificationDeadlines(&effects)
            advanceDrains(&effects)
        case .monitor(let state, let date):
            now = date
            live = state
            tunnelTotals = [:]
            for instance in state.instances {
                if let total = instance.snapshot?.totalTunnels { tunnelTotals[instance.name] = total }
            }
            if !paused {
                let previous = shown
                shown = state
                // In HAProxy's order the rows depend only on which objects exist: most polls change none.
                if sort.column != nil || !TableModel.sameObjects(previous, state) { rebuildRows() }
            }
            observeDrains()
            checkVerifications(&effects)
            advanceDrains(&effects)
            if overlay == .doctor, let last = doctor.updatedAt,
                date.timeIntervalSince(last) >= DoctorPane.refreshInterval
            {
                runDoctor(&effects)
            }
        case .doctor(let report, let date):
            now = date
            doctor.report = report
            doctor.updatedAt = date
            doctor.running = false
            scrollDoctor(to: doctor.scroll)
        case .access(let instance, let access):
            self.access[instance] = access
        case .probes(let probes):
            self.probes = probes.servers
            self.frontendProbes = probes.frontends
            self.probeBudget = probes.budget
        case .sent(let id, let results, let date):
            now = date
            received(results, for: id, &effects)
        case .auditFailed(let text):
            message = StatusMessage("audit log: \(text)", .error)
        case .quit:
            quit(&effects)
        }
    }

    // MARK: - Keys

    mutating func handle(_ key: Key, _ effects: inout [Effect]) {
        if key == .resize { return }
        if filterInput != nil { return editFilter(key) }
        if let overlay { return handleOverlay(overlay, key, &effects) }
        if message?.until == nil { message = nil }
        switch key {
        case .character("q"):
            if drains.values.contains(where: { $0.tracker.options.maintWhenEmpty && !$0.tracker.maintRequested }) {
                overlay = .quit
            } else {
                quit(&effects)
            }
        case .character("?"), .function(1): overlay = .help
        case .character("D"):
            overlay = .doctor
            doctor.scroll = 0
            runDoctor(&effects)
        case .character("/"):
            filterInput = filter?.text ?? ""
            filterBeforeEditing = filter
        case .character("s"): cycleSort()
        case .character("S"): flipSort()
        case .tab: switchView(to: (viewIndex + 1) % views.count)
        case .backTab: switchView(to: (viewIndex + views.count - 1) % views.count)
        case .character(let c) where c.isASCII && c.isNumber && c != "0":
            let index = Int(String(c))! - 1
            if index < views.count {
                switchView(to: index)
            } else {
                message = StatusMessage("no view \(c): \(views.count) views loaded", .warning)
            }
        case .up, .character("k"): moveCursor(to: cursor - 1)
        case .down, .character("j"): moveCursor(to: cursor + 1)
        case .pageUp, .control("b"): moveCursor(to: cursor - Layout(state: self, size: size).pageSize)
        case .pageDown, .control("f"): moveCursor(to: cursor + Layout(state: self, size: size).pageSize)
        case .home, .character("g"): moveCursor(to: 0)
        case .end, .character("G"): moveCursor(to: rows.count - 1)
        case .enter:
            showDetail.toggle()
            detailScroll = 0
            keepSelectionVisible()
        case .character(" "): toggleCollapse(nil)
        case .left: toggleCollapse(true)
        case .right: toggleCollapse(false)
        case .character("e"):
            showEvents.toggle()
            keepSelectionVisible()
        case .character("p"):
            paused.toggle()
            if !paused {
                shown = live
                rebuildRows()
            }
        case .character("x"): toggleMark()
        case .escape:
            if !marked.isEmpty {
                message = StatusMessage("cleared \(marked.count) mark\(marked.count == 1 ? "" : "s")")
                marked = []
            }
        case .character("["): detailScroll = max(0, detailScroll - 5)
        case .character("]"): detailScroll += 5
        case .control("l"): effects.append(.redraw)
        case .character("d"): propose(.drain)
        case .character("r"): propose(.ready)
        case .character("m"): propose(.maint)
        case .character("K"): propose(.shutdownSessions)
        case .character("w"): promptWeight()
        default:
            break
        }
    }

    private mutating func handleOverlay(_ overlay: Overlay, _ key: Key, _ effects: inout [Effect]) {
        switch overlay {
        case .help:
            self.overlay = nil
        case .doctor:
            let page = DoctorOverlay.page(size)
            switch key {
            case .escape, .enter, .character("q"), .character("D"): self.overlay = nil
            case .up, .character("k"): scrollDoctor(to: doctor.scroll - 1)
            case .down, .character("j"): scrollDoctor(to: doctor.scroll + 1)
            case .pageUp, .control("b"): scrollDoctor(to: doctor.scroll - page)
            case .pageDown, .control("f"), .character(" "): scrollDoctor(to: doctor.scroll + page)
            case .home, .character("g"): scrollDoctor(to: 0)
            case .end, .character("G"): scrollDoctor(to: Int.max)
            default: break
            }
        case .quit:
            self.overlay = nil
            if key == .character("y") { quit(&effects) }
        case .weight(var prompt):
            switch key {
            case .escape:
                self.overlay = nil
                message = StatusMessage("weight: cancelled, nothing sent")
            case .backspace, .delete:
                if !prompt.text.isEmpty { prompt.text.removeLast() }
                prompt.error = nil
                self.overlay = .weight(prompt)
            case .enter:
                guard let value = Int(prompt.text), (0...256).contains(value) else {
                    prompt.error = "type a whole number from 0 to 256"
                    self.overlay = .weight(prompt)
                    return
                }
                self.overlay = nil
                propose(.weight(value), targets: prompt.targets)
            case .character(let c) where c.isASCII && c.isNumber:
                if prompt.text.count < 3 { prompt.text.append(c) }
                prompt.error = nil
                self.overlay = .weight(prompt)
            default:
                break
            }
        case .confirm(var dialog):
            switch key {
            case .character("y"), .character("Y"):
                self.overlay = nil
                confirm(dialog, &effects)
            case .character("n"), .character("N"), .character("q"), .escape:
                self.overlay = nil
                message = StatusMessage("\(dialog.batch.kind.verb): cancelled, nothing sent")
            case .character("a") where dialog.batch.kind == .drain:
                dialog.maintWhenEmpty.toggle()
                self.overlay = .confirm(dialog)
            case .character("t") where dialog.batch.kind == .drain:
                dialog.deadline = Self.nextDeadline(after: dialog.deadline)
                self.overlay = .confirm(dialog)
            default:
                break
            }
        }
    }

    /// The deadlines `t` cycles through in the drain dialog.
    static let deadlineChoices: [Duration?] = [
        .seconds(60), .seconds(300), .seconds(600), .seconds(1_800), .seconds(3_600), nil,
    ]

    static func nextDeadline(after current: Duration?) -> Duration? {
        let index = deadlineChoices.firstIndex(of: current) ?? -1
        return deadlineChoices[(index + 1) % deadlineChoices.count]
    }

    // MARK: - Doctor

    /// Asks for a report unless one is being made.
    mutating func runDoctor(_ effects: inout [Effect]) {
        guard !doctor.running else { return }
        doctor.running = true
        effects.append(.runDoctor)
    }

    /// Scrolls the doctor overlay, keeping its last page full.
    mutating func scrollDoctor(to line: Int) {
        let lines = DoctorOverlay.lines(doctor, width: DoctorOverlay.textWidth(size)).count
        doctor.scroll = max(0, min(line, lines - DoctorOverlay.page(size)))
    }

    // MARK: - Filter

    private mutating func editFilter(_ key: Key) {
        guard var text = filterInput else { return }
        switch key {
        case .escape:
            filterInput = nil
            filter = filterBeforeEditing
            filterError = nil
            rebuildRows()
            return
        case .enter:
            filterInput = nil
            if let filterError {
                message = StatusMessage(
                    "filter: \(filterError); kept \(filter.map { "\"\($0.text)\"" } ?? "no filter")", .error)
            }
            filterError = nil
            return
        case .backspace, .delete:
            if !text.isEmpty { text.removeLast() }
        case .character(let c):
            text.append(c)
        case .control("u"):
            text = ""
        default:
            return
        }
        filterInput = text
        applyFilter(text)
    }

    /// Applies `text` as the filter; a bad expression keeps the previous filter and says why.
    mutating func applyFilter(_ text: String) {
        do {
            filter = try RowFilter(text)
            filterError = nil
        } catch {
            filterError = error.description
        }
        rebuildRows()
    }

    // MARK: - Views and sorting

    mutating func switchView(to index: Int) {
        guard index != viewIndex, views.indices.contains(index) else { return }
        let previousKind = view.kind
        viewIndex = index
        if view.kind != previousKind {
            cursor = 0
            scroll = 0
            selection = nil
        }
        rebuildRows()
    }

    private mutating func cycleSort() {
        let sortable = view.columns.map(\.id).filter(\.isSortable)
        let current = sort.column
        let next: ColumnID?
        if let current, let index = sortable.firstIndex(of: current) {
            next = index + 1 < sortable.count ? sortable[index + 1] : nil
        } else {
            next = sortable.first
        }
        sorts[view.name] = SortSpec(column: next, descending: next?.prefersDescending ?? false)
        let title = next.flatMap { id in view.columns.first { $0.id == id }?.title } ?? "HAProxy's order"
        message = StatusMessage("sort: \(title)", until: now.addingTimeInterval(3))
        rebuildRows()
    }

    private mutating func flipSort() {
        var spec = sort
        guard spec.column != nil else {
            message = StatusMessage(
                "sort: HAProxy's order has no direction; press s to sort on a column", until: now.addingTimeInterval(3))
            return
        }
        spec.descending.toggle()
        sorts[view.name] = spec
        rebuildRows()
    }

    // MARK: - Rows, cursor, collapse, marks

    /// Rebuilds the table rows and puts the cursor back on the same object when it is still listed.
    mutating func rebuildRows() {
        rows = TableModel.rows(for: self)
        if let selection, let index = rows.firstIndex(where: { $0.id == selection }) {
            cursor = index
        } else if case .server(let id)? = selection,
            let index = rows.firstIndex(where: {
                $0.id == .backend(BackendID(instance: id.instance, name: id.key.backend))
            })
        {
            // The server was hidden (collapsed or filtered): stay on its backend.
            cursor = index
        }
        cursor = rows.isEmpty ? 0 : min(max(0, cursor), rows.count - 1)
        selection = rows.isEmpty ? selection : rows[cursor].id
        keepSelectionVisible()
    }

    mutating func moveCursor(to index: Int) {
        guard !rows.isEmpty else { return }
        cursor = min(max(0, index), rows.count - 1)
        selection = rows[cursor].id
        detailScroll = 0
        keepSelectionVisible()
    }

    mutating func keepSelectionVisible() {
        let height = Layout(state: self, size: size).pageSize
        if cursor < scroll { scroll = cursor }
        if cursor >= scroll + height { scroll = cursor - height + 1 }
        scroll = max(0, min(scroll, max(0, rows.count - height)))
    }

    /// `space` toggles, `left` collapses, `right` expands the backend of the current row.
    private mutating func toggleCollapse(_ collapse: Bool?) {
        guard rows.indices.contains(cursor) else { return }
        let id: BackendID
        switch rows[cursor].id {
        case .backend(let backend): id = backend
        case .server(let server): id = BackendID(instance: server.instance, name: server.key.backend)
        case .frontend: return
        }
        let shouldCollapse = collapse ?? !collapsed.contains(id)
        if shouldCollapse { collapsed.insert(id) } else { collapsed.remove(id) }
        selection = .backend(id)
        rebuildRows()
    }

    /// `x` marks the current server, or every server of the current backend.
    private mutating func toggleMark() {
        guard rows.indices.contains(cursor), let monitor = shown else { return }
        let row = rows[cursor]
        switch row.id {
        case .server(let id):
            if marked.remove(id) == nil { marked.insert(id) }
            moveCursor(to: cursor + 1)
        case .backend(let backendID):
            guard let backend = monitor.instances[row.instance].snapshot?.backends[row.group] else { return }
            let ids = backend.servers.map { ServerID(instance: backendID.instance, key: $0.key) }
            if ids.allSatisfy(marked.contains) { marked.subtract(ids) } else { marked.formUnion(ids) }
        case .frontend:
            message = StatusMessage("marks apply to servers: switch to a servers view", .warning)
            return
        }
        message = StatusMessage(
            "\(marked.count) server\(marked.count == 1 ? "" : "s") marked; d/r/m/w/K act on all of them, Esc clears",
            until: now.addingTimeInterval(4))
    }

    // MARK: - Quit

    mutating func quit(_ effects: inout [Effect]) {
        // Actions still waiting for their effect get their audit line now, so none is lost.
        for id in verifications.keys.sorted() {
            guard var verification = verifications[id] else { continue }
            for index in verification.outcomes.indices where verification.outcomes[index] == nil {
                verification.outcomes[index] = .notObserved(after: nil)
            }
            effects.append(.audit(auditRecords(for: verification)))
        }
        verifications = [:]
        // Commands handed to the executor whose answer has not come back: they may have been sent.
        for id in inFlight.keys.sorted() {
            guard let batch = inFlight[id] else { continue }
            effects.append(
                .audit(
                    batch.items.map { item in
                        AuditRecord(
                            time: now, user: settings.user, instance: item.target.instance,
                            object: item.target.key.description, command: item.command.text,
                            stateBefore: item.before.describe(for: batch.kind), stateAfter: nil,
                            result: "unknown: haws top quit before HAProxy answered", origin: batch.origin.rawValue)
                    }))
        }
        inFlight = [:]
        shouldQuit = true
        effects.append(.quit)
    }
}
