#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

extension Painter {
    mutating func drawOverlay() {
        switch state.overlay {
        case .help?: drawHelp()
        case .confirm(let dialog)?: drawConfirm(dialog)
        case .weight(let prompt)?: drawWeightPrompt(prompt)
        case .quit?: drawQuit()
        case .doctor?: drawDoctor()
        case nil: break
        }
    }

    /// A centred box of `lines`, clipped to the screen.
    private mutating func dialog(title: String, lines: [[(String, CellStyle)]], minimumWidth: Int = 40) {
        let contentWidth =
            lines.map { line in
                line.reduce(0) { $0 + DisplayWidth.of($1.0) } + max(0, line.filter { !$0.0.isEmpty }.count - 1)
            }.max() ?? 0
        let boxWidth = min(width - 2, max(minimumWidth, contentWidth + 4, DisplayWidth.of(title) + 8))
        let boxHeight = min(layout.size.rows - 1, lines.count + 2)
        let rect = Rect(
            x: (width - boxWidth) / 2, y: max(1, (layout.size.rows - boxHeight) / 2), width: boxWidth, height: boxHeight
        )
        box(rect, title: title, style: CellStyle(.accent, bold: true))
        for (index, line) in lines.prefix(boxHeight - 2).enumerated() {
            segments(line, x: rect.x + 2, y: rect.y + 1 + index, limit: rect.x + rect.width - 2, gap: 1)
        }
    }

    static let helpLeft: [(String, String)] = [
        ("j k / ↑ ↓", "move"), ("PgUp PgDn", "page"), ("g G / Home End", "top / bottom"),
        ("space", "fold / unfold backend"),
        ("← →", "fold / unfold"), ("enter", "detail pane ([ ] scroll)"), ("e", "event log"),
        ("/", "filter: regex, ! inverts"),
        ("s / S", "sort column / direction"), ("tab, 1-9", "switch view"), ("p", "pause updates"), ("Ctrl-L", "redraw"),
        ("D", "doctor: what breaks WS"), ("q", "quit"),
    ]
    static let helpRight: [(String, String)] = [
        ("d", "drain (MAINT at 0 option)"), ("r", "ready"), ("m", "maintenance"), ("w", "set weight"),
        ("K", "shutdown sessions"), ("x", "mark (backend: all)"), ("Esc", "clear marks"),
    ]

    private mutating func drawHelp() {
        var lines: [[(String, CellStyle)]] = [
            [("Keys", CellStyle(.header, bold: true)), ("(any key closes this help)", .dim)]
        ]
        let ascii = !glyphs.isUnicode
        func key(_ text: String) -> String {
            let plain =
                ascii
                ? text.replacing("↑", with: "up").replacing("↓", with: "down")
                    .replacing("←", with: "left").replacing("→", with: "right") : text
            return DisplayWidth.fit(plain, width: 15)
        }
        let rows = max(Self.helpLeft.count, Self.helpRight.count + 4)
        for index in 0..<rows {
            var line: [(String, CellStyle)] = []
            if index < Self.helpLeft.count {
                line.append((key(Self.helpLeft[index].0), CellStyle(.accent, bold: true)))
                line.append((DisplayWidth.fit(Self.helpLeft[index].1, width: 25), .normal))
            } else {
                line.append((String(repeating: " ", count: 41), .normal))
            }
            if index < Self.helpRight.count {
                line.append((DisplayWidth.fit(Self.helpRight[index].0, width: 4), CellStyle(.accent, bold: true)))
                line.append((Self.helpRight[index].1, .normal))
            } else if index == Self.helpRight.count + 1 {
                line.append(("Actions apply to the marked servers,", .dim))
            } else if index == Self.helpRight.count + 2 {
                line.append(("else the selected one; each asks", .dim))
            } else if index == Self.helpRight.count + 3 {
                line.append(("to confirm and is audited.", .dim))
            }
            lines.append(line)
        }
        lines.append([])
        lines.append([
            ("Views:", .dim),
            (state.views.enumerated().map { "\($0.offset + 1) \($0.element.name)" }.joined(separator: "  "), .normal),
        ])
        lines.append([
            ("Audit log:", .dim), (state.settings.auditLogPath.isEmpty ? "-" : state.settings.auditLogPath, .normal),
        ])
        if state.isReadOnly {
            lines.append([("READ-ONLY:", CellStyle(.warning, bold: true)), ("actions are refused", .normal)])
        }
        dialog(title: "haws top help", lines: lines, minimumWidth: 76)
    }

    private mutating func drawConfirm(_ dialog: ConfirmDialog) {
        let batch = dialog.batch
        let count = batch.items.count
        let multiple = Set(batch.items.map(\.target.instance)).count > 1 || (state.live?.instances.count ?? 0) > 1
        var lines: [[(String, CellStyle)]] = []
        let title: String
        switch batch.origin {
        case .drainDeadline:
            title = "Drain deadline passed: shut down the remaining sessions?"
            lines.append([
                (
                    "The drain deadline passed and tunnels remain. Nothing happens unless you confirm.",
                    CellStyle(.warning, bold: true)
                )
            ])
        default:
            title = "Confirm: \(batch.kind.verb) \(count == 1 ? "1 server" : "\(count) servers")"
        }
        var affected: [(String, CellStyle)] = [("Affected:", CellStyle(.header, bold: true))]
        if !multiple, let instance = batch.items.first?.target.instance { affected.append(("on \(instance)", .dim)) }
        lines.append(affected)
        let room = max(2, layout.size.rows - 16)
        let shown = batch.items.count <= room ? batch.items.count : room - 1
        for item in batch.items.prefix(shown) {
            var line: [(String, CellStyle)] = [(" ", .normal)]
            if multiple { line.append((item.target.instance, .dim)) }
            line.append((DisplayWidth.fit(item.target.key.description, width: 24), CellStyle(.normal, bold: true)))
            let status = ServerStatus(item.before.status)
            line.append((DisplayWidth.fit(item.before.status, width: 9), ColumnValues.serverStyle(status)))
            line.append(("weight \(item.before.userWeight ?? item.before.weight)", .dim))
            line.append(("sessions \(item.before.sessions)", .dim))
            line.append(("tunnels \(item.before.tunnels.map(String.init) ?? "-")", .dim))
            lines.append(line)
        }
        if shown < batch.items.count { lines.append([(" ... and \(batch.items.count - shown) more", .dim)]) }
        lines.append([
            ("Runtime commands (each on its own connection to the instance's socket):", CellStyle(.header, bold: true))
        ])
        for item in batch.items.prefix(shown) {
            var line: [(String, CellStyle)] = [(" ", .normal)]
            if multiple { line.append(("[\(item.target.instance)]", .dim)) }
            line.append((item.command.text, CellStyle(.accent, bold: true)))
            lines.append(line)
        }
        if shown < batch.items.count {
            lines.append([(" ... and \(batch.items.count - shown) more of the same form", .dim)])
        }
        if batch.kind == .drain {
            lines.append([])
            lines.append([
                ("a", CellStyle(.accent, bold: true)), ("switch to MAINT when tunnels reach 0:", .normal),
                (dialog.maintWhenEmpty ? "yes" : "no", CellStyle(.normal, bold: true)),
            ])
            lines.append([
                ("t", CellStyle(.accent, bold: true)), ("offer 'shutdown sessions' after:", .normal),
                (dialog.deadline.map { Format.duration($0.seconds) } ?? "never", CellStyle(.normal, bold: true)),
            ])
        }
        lines.append([])
        lines.append([
            ("y", CellStyle(.ok, bold: true)), ("send", .normal), ("  n / Esc", CellStyle(.critical, bold: true)),
            ("cancel", .normal),
        ])
        self.dialog(title: title, lines: lines, minimumWidth: 60)
    }

    private mutating func drawWeightPrompt(_ prompt: WeightPrompt) {
        var lines: [[(String, CellStyle)]] = []
        let current = prompt.targets.first.flatMap { state.liveServer($0) }
        let subject = prompt.targets.count == 1 ? prompt.targets[0].key.description : "\(prompt.targets.count) servers"
        lines.append([
            (subject, CellStyle(.normal, bold: true)),
            (current.map { "(weight now \($0.server.userWeight ?? $0.server.weight))" } ?? "", .dim),
        ])
        lines.append([("New weight (0-256):", .normal), (prompt.text + "_", CellStyle(.accent, bold: true))])
        if let error = prompt.error { lines.append([(error, CellStyle(.critical, bold: true))]) }
        lines.append([("Enter: review the command   Esc: cancel", .dim)])
        dialog(title: "Set weight", lines: lines)
    }

    private mutating func drawQuit() {
        let pending = state.drains.values.filter { $0.tracker.options.maintWhenEmpty && !$0.tracker.maintRequested }
            .count
        dialog(
            title: "Quit haws top?",
            lines: [
                [
                    (
                        "\(pending) drain\(pending == 1 ? "" : "s") will not be switched to MAINT at zero once haws top exits.",
                        CellStyle(.warning, bold: true)
                    )
                ],
                [
                    ("y", CellStyle(.ok, bold: true)), ("quit", .normal),
                    ("  any other key", CellStyle(.accent, bold: true)), ("stay", .normal),
                ],
            ])
    }
}
