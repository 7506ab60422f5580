#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsDoctor

/// The doctor overlay's geometry and lines, pure, so that `update` scrolls by the same pages `render` draws.
///
/// A box over the whole screen but its edges: a line saying what was read, the findings worst first (severity,
/// code and place, then the message and the fix, wrapped to the box), and the keys.
enum DoctorOverlay {
    typealias Line = [(String, CellStyle)]

    /// Severity labels are padded to the widest (`CRITICAL`), and messages indented past them.
    static let labelWidth = 8
    static let indent = labelWidth + 1

    static func rect(_ size: TerminalSize) -> Rect {
        Rect(x: 1, y: 1, width: size.columns - 2, height: size.rows - 2)
    }

    /// Findings lines shown at once: the box less its frame, the sources line and the keys line.
    static func page(_ size: TerminalSize) -> Int { max(1, rect(size).height - 4) }

    static func textWidth(_ size: TerminalSize) -> Int { max(20, rect(size).width - 4) }

    static func style(_ severity: DoctorSeverity) -> CellStyle {
        switch severity {
        case .critical: CellStyle(.critical, bold: true)
        case .warning: CellStyle(.warning, bold: true)
        case .unknown: CellStyle(.maint, bold: true)
        case .info: CellStyle(.accent)
        }
    }

    static func title(_ pane: DoctorPane) -> String {
        guard let report = pane.report else { return "haws doctor" }
        let info = report.count(.info)
        return "haws doctor: \(report.verdict.label) (\(report.countsText)\(info > 0 ? ", \(info) info" : ""))"
    }

    /// What the findings are about: the files read (or why none), the instances, and how old the report is.
    static func sources(_ pane: DoctorPane, now: Date) -> Line {
        guard let report = pane.report else { return [("checking the configuration and the instances...", .dim)] }
        var line: Line = [("config:", .dim)]
        if !report.files.isEmpty {
            line.append((report.files.joined(separator: ", "), .normal))
        } else if report.findings.contains(where: { $0.code == DoctorCode.configUnreadable }) {
            line.append(("unreadable (below)", CellStyle(.warning, bold: true)))
        } else {
            let note = "none: \(DoctorRun.defaultConfig) does not exist (--doctor-config FILE|DIR)"
            line.append((note, CellStyle(.warning)))
        }
        line.append(("  live:", .dim))
        let instances = report.instances.isEmpty ? "no instance read yet" : report.instances.joined(separator: ", ")
        line.append((instances, .normal))
        if let updated = pane.updatedAt {
            line.append(("  checked \(Format.duration(max(0, now.timeIntervalSince(updated)))) ago", .dim))
        }
        return line
    }

    /// Every line of the findings, for a box `width` cells wide inside; the overlay shows a page of them.
    static func lines(_ pane: DoctorPane, width: Int) -> [Line] {
        guard let report = pane.report else { return [] }
        guard !report.findings.isEmpty else {
            return [[("No findings: nothing here is known to break WebSockets.", CellStyle(.ok, bold: true))]]
        }
        let pad = String(repeating: " ", count: indent - 1)
        var lines: [Line] = []
        for finding in report.findings {
            if !lines.isEmpty { lines.append([]) }
            lines.append([
                (DisplayWidth.fit(finding.severity.label, width: labelWidth), style(finding.severity)),
                (finding.code, CellStyle(.normal, bold: true)),
                (finding.place.isEmpty ? "" : " " + finding.place, .dim),
            ])
            for text in wrap(finding.message, width: width - indent) {
                lines.append([(pad, .normal), (text, .normal)])
            }
            if let fix = finding.fix {
                for text in wrap("fix: " + fix, width: width - indent) {
                    lines.append([(pad, .normal), (text, .accent)])
                }
            }
        }
        return lines
    }

    /// Words to lines of at most `width` cells; a word longer than a line is cut.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var current = ""
        var used = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            var wordWidth = DisplayWidth.of(word)
            if used > 0, used + 1 + wordWidth <= width {
                current += " " + word
                used += 1 + wordWidth
                continue
            }
            if used > 0 { lines.append(current) }
            while wordWidth > width {
                var head = ""
                var headWidth = 0
                for character in word {
                    let w = DisplayWidth.of(character)
                    if headWidth + w > width { break }
                    head.append(character)
                    headWidth += w
                }
                lines.append(head)
                word.removeFirst(head.count)
                wordWidth = DisplayWidth.of(word)
            }
            (current, used) = (word, wordWidth)
        }
        if used > 0 || lines.isEmpty { lines.append(current) }
        return lines
    }
}

extension Painter {
    mutating func drawDoctor() {
        let rect = DoctorOverlay.rect(layout.size)
        let pane = state.doctor
        box(rect, title: DoctorOverlay.title(pane), style: CellStyle(.accent, bold: true))
        let left = rect.x + 2
        let right = rect.x + rect.width - 2
        segments(DoctorOverlay.sources(pane, now: state.now), x: left, y: rect.y + 1, limit: right, gap: 1)
        let lines = DoctorOverlay.lines(pane, width: DoctorOverlay.textWidth(layout.size))
        let page = DoctorOverlay.page(layout.size)
        let first = max(0, min(pane.scroll, lines.count - page))
        for (offset, line) in lines.dropFirst(first).prefix(page).enumerated() {
            segments(line, x: left, y: rect.y + 2 + offset, limit: right, gap: 1)
        }
        let arrows = glyphs.isUnicode ? "j k ↑ ↓" : "j k up down"
        // Where the page is comes first: a narrow box cuts the hints, not the position.
        var keys: DoctorOverlay.Line = []
        if lines.count > page {
            let shown = "lines \(first + 1)-\(min(lines.count, first + page)) of \(lines.count) "
            keys.append((shown, CellStyle(.normal, bold: true)))
        }
        keys += [
            (arrows, CellStyle(.accent, bold: true)), ("PgUp PgDn g G", CellStyle(.accent, bold: true)),
            ("scroll", .normal), ("  Esc D", CellStyle(.accent, bold: true)), ("close", .normal),
            ("  haws doctor --explain CODE", .dim),
        ]
        segments(keys, x: left, y: rect.y + rect.height - 2, limit: right, gap: 1)
    }
}
