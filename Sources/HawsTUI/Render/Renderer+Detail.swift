#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore
import HawsMonitor

extension Painter {
    /// The detail pane of the selected row: everything HAProxy says about it, its tunnels by age,
    /// probe phases, drain progress, recent events and every CSV field.
    mutating func drawDetail() {
        guard let rect = layout.detail, rect.height >= 3 else { return }
        guard state.rows.indices.contains(state.cursor), let data = RowData(state.rows[state.cursor], in: state.shown)
        else {
            box(rect, title: "Detail")
            screen.write("nothing selected", x: rect.x + 2, y: rect.y + 1, style: .dim)
            return
        }
        var lines: [[(String, CellStyle)]] = []
        let title: String
        let row: StatsRow?
        switch data.subject {
        case .server(let server, _):
            title = "\(server.key) @ \(data.live.name)"
            lines = serverLines(server, data)
            row = server.row
        case .backend(let backend):
            title = "backend \(backend.name) @ \(data.live.name)"
            lines = backendLines(backend, data)
            row = backend.row
        case .frontend(let frontend):
            title = "frontend \(frontend.name) @ \(data.live.name)"
            lines = [
                [
                    ("status", .dim), (frontend.status, .normal), ("sessions", .dim),
                    ("\(frontend.sessions)/\(frontend.sessionLimit.map(String.init) ?? "-")", .normal), ("mode", .dim),
                    (frontend.mode ?? "-", .normal),
                ]
            ]
            lines += frontendProbeLines(frontend)
            row = frontend.row
        }
        box(rect, title: title + "  (enter closes, [ ] scroll fields)")
        let inner = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        var y = inner.y
        for line in lines {
            guard y < inner.y + inner.height else { return }
            segments(line, x: inner.x, y: y, limit: inner.x + inner.width, gap: 1)
            y += 1
        }
        guard let row, y < inner.y + inner.height else { return }
        drawFields(row, in: Rect(x: inner.x, y: y, width: inner.width, height: inner.y + inner.height - y))
    }

    private func serverLines(_ server: Server, _ data: RowData) -> [[(String, CellStyle)]] {
        let id = ServerID(instance: data.live.name, key: server.key)
        var lines: [[(String, CellStyle)]] = []
        var first: [(String, CellStyle)] = [(server.status.raw, ColumnValues.serverStyle(server.status))]
        if let admin = server.status.admin { first.append(("admin \(admin.rawValue)", .dim)) }
        if let oper = server.status.operational { first.append(("oper \(oper.rawValue)", .dim)) }
        first.append(("weight \(server.weight)" + (server.userWeight.map { " (user \($0))" } ?? ""), .normal))
        first.append(
            (
                "sessions \(server.sessions) (max \(server.maxSessions), limit \(server.sessionLimit.map(String.init) ?? "-"))",
                .normal
            ))
        first.append(("queue \(server.queue)", server.queue > 0 ? CellStyle(.warning, bold: true) : .normal))
        if let address = data.snapshot.address(of: server) { first.append(("addr \(address)", .normal)) }
        lines.append(first)

        var check: [(String, CellStyle)] = [("check", .dim)]
        if let status = server.check {
            check.append((status.description, status.outcome == .failed ? CellStyle(.critical, bold: true) : .normal))
        } else {
            check.append(("-", .dim))
        }
        if let code = server.checkCode { check.append(("code \(code)", .normal)) }
        if let duration = server.checkDurationMs { check.append(("\(duration)ms", .dim)) }
        if let last = server.lastCheck { check.append(("last: \(last)", .normal)) }
        if let description = server.checkDescription { check.append(("(\(description))", .dim)) }
        check.append(("failed \(server.failedChecks), down \(server.downTransitions)x", .dim))
        if let change = server.secondsSinceChange {
            check.append(("changed \(Format.duration(Double(change))) ago", .dim))
        }
        lines.append(check)

        var tunnels: [(String, CellStyle)] = [("tunnels", .dim)]
        if let tally = data.snapshot.tunnels(of: server) {
            tunnels.append(("\(tally.count)", CellStyle(.accent, bold: true)))
            if let old = data.snapshot.oldWorkerTunnels?[server.key] {
                tunnels.append(("(\(old.count) on old workers)", .normal))
            }
            tunnels.append(
                ("age >1m \(tally.olderThanMinute)  >1h \(tally.olderThanHour)  >1d \(tally.olderThanDay)", .normal))
            tunnels.append(("oldest \(tally.oldestSeconds.map { Format.duration(Double($0)) } ?? "-")", .normal))
        } else {
            tunnels.append((data.snapshot.serverTunnelsUnavailable?.description ?? "not counted yet", .dim))
        }
        if let rate = data.serverRates?.upgrades {
            tunnels.append(("upgrades \(Format.rate(rate))/s", .normal))
        }
        lines.append(tunnels)

        lines += probeLines(state.probes[id])
        if let drain = state.drains[id] {
            lines.append([
                ("drain", CellStyle(.drain, bold: true)),
                (DrainText.full(drain, now: state.now, glyphs: glyphs), CellStyle(.drain)),
            ])
        }
        let object = server.key.description
        let events = (state.live?.events ?? []).filter { $0.instance == data.live.name && $0.object == object }.suffix(
            4)
        if events.isEmpty {
            lines.append([("events", .dim), ("none recorded for this server", .dim)])
        } else {
            for event in events.reversed() {
                lines.append([
                    ("event", .dim), (Format.clock(event.time), .dim), (event.summary, Self.style(of: event)),
                ])
            }
        }
        return lines
    }

    /// The probes through this frontend (``ProbeSummaries/frontends``), one block per URL; or how to get one.
    private func frontendProbeLines(_ frontend: Frontend) -> [[(String, CellStyle)]] {
        let probes = state.frontendProbes[frontend.name] ?? []
        guard !probes.isEmpty else {
            let why =
                state.settings.probeInterval == nil
                ? "probes are off (--no-probe)"
                : "none: --probe-frontend \(frontend.name)=ws://... names one"
            return [[("probe", .dim), ("- (\(why))", .dim)]]
        }
        return probes.flatMap { probeLines($0) }
    }

    /// The verdict and the last probe's phases; the window's success ratio and p50/p95/p99 per phase; why it
    /// failed or is not probed.
    private func probeLines(_ probe: ProbeSummary?) -> [[(String, CellStyle)]] {
        guard let probe else {
            let why =
                state.settings.probeInterval == nil ? "probes are off (--no-probe)" : "waiting for the first round"
            return [[("probe", .dim), ("- (\(why))", .dim)]]
        }
        let verdictStyle = probe.probeable ? CellStyle(probe.passed ? .ok : .critical, bold: true) : .dim
        var first: [(String, CellStyle)] = [("probe", .dim), (probe.verdict, verdictStyle)]
        if let p95 = probe.handshakeP95Milliseconds {
            first.append(("handshake p95 \(Format.milliseconds(p95))", .normal))
        }
        for phase in probe.phases {
            first.append(("\(phase.name) \(Format.milliseconds(phase.milliseconds))", .dim))
        }
        var lines = [first]
        if let ratio = probe.successRatio {
            lines.append([
                ("window", .dim),
                (
                    "success \(Self.percent(ratio)) of \(probe.windowProbes) probes",
                    ratio < 1 ? CellStyle(.warning, bold: true) : .normal
                ),
            ])
        }
        // p50/p95/p99 per phase: the handshake's phases on one line, the tunnel's (and the total) on the next.
        let handshake: Set<String> = ["resolve", "connect", "tls", "upgrade"]
        for part in [probe.percentiles.filter { handshake.contains($0.name) },
                     probe.percentiles.filter { !handshake.contains($0.name) }] where !part.isEmpty {
            var line: [(String, CellStyle)] = [("p50/p95/p99", .dim)]
            for phase in part {
                line.append(("\(phase.name) \(Self.triple(phase.p50, phase.p95, phase.p99))", .normal))
            }
            lines.append(line)
        }
        if let detail = probe.detail {
            lines.append([("why", .dim), (detail, probe.probeable ? CellStyle(.critical) : .dim)])
        }
        if let url = probe.url { lines.append([("url", .dim), (url, .dim)]) }
        return lines
    }

    /// `0.8/1.2/3.4ms`, `12/40/95ms`, `0.9/1.2/5.0s`: three latencies in one unit, so a row of phases stays short.
    static func triple(_ a: Double, _ b: Double, _ c: Double) -> String {
        let largest = max(a, b, c)
        if largest >= 1_000 {
            return [a, b, c].map { String(printf: "%.1f", $0 / 1_000) }.joined(separator: "/") + "s"
        }
        let format = largest < 10 ? "%.1f" : "%.0f"
        return [a, b, c].map { String(printf: format, $0) }.joined(separator: "/") + "ms"
    }

    /// `100%`, `97.5%`.
    static func percent(_ ratio: Double) -> String {
        let value = (ratio * 1_000).rounded() / 10
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }

    private func backendLines(_ backend: Backend, _ data: RowData) -> [[(String, CellStyle)]] {
        let up = backend.servers.filter { $0.status.isAlive && $0.status.admin != .maint }.count
        var first: [(String, CellStyle)] = [
            (backend.status, ColumnValues.backendStyle(backend)),
            ("servers up \(up)/\(backend.servers.count)", .normal),
        ]
        first.append(("sessions \(backend.sessions)/\(backend.sessionLimit.map(String.init) ?? "-")", .normal))
        first.append(
            ("tunnels \(data.snapshot.tunnels(of: backend).map(String.init) ?? "-")", CellStyle(.accent, bold: true)))
        if let algorithm = backend.algorithm { first.append(("balance \(algorithm)", .dim)) }
        if let mode = backend.mode { first.append(("mode \(mode)", .dim)) }
        first.append(("queue \(backend.queue)", .normal))
        first.append(("errors \(backend.errors)", .normal))
        var lines = [first]
        if let note = data.snapshot.serverTunnelsUnavailable {
            lines.append([("note", .dim), (note.description, .dim)])
        }
        return lines
    }

    /// Every non-empty CSV field of the row, in HAProxy's column order, in as many columns as fit.
    private mutating func drawFields(_ row: StatsRow, in rect: Rect) {
        guard rect.height > 0 else { return }
        let fields = row.fields
        let names = row.header.names.filter { fields[$0] != nil }
        let cellWidth = 28
        let perLine = max(1, (rect.width + 1) / (cellWidth + 1))
        let totalLines = (names.count + perLine - 1) / perLine
        let maxScroll = max(0, totalLines - (rect.height - 1))
        let scroll = min(state.detailScroll, maxScroll)
        screen.write(
            "all fields (\(names.count))"
                + (maxScroll > 0
                    ? ", lines \(scroll + 1)-\(min(totalLines, scroll + rect.height - 1)) of \(totalLines)" : ""),
            x: rect.x, y: rect.y, maxWidth: rect.width, style: .dim)
        for line in 0..<(rect.height - 1) {
            let lineIndex = scroll + line
            guard lineIndex < totalLines else { break }
            for column in 0..<perLine {
                let index = lineIndex * perLine + column
                guard index < names.count else { break }
                let name = names[index]
                let x = rect.x + column * (cellWidth + 1)
                let label = DisplayWidth.fit(name, width: 12, ellipsis: glyphs.ellipsis)
                screen.write(label, x: x, y: rect.y + 1 + line, maxWidth: 12, style: .dim)
                screen.write(
                    DisplayWidth.fit(fields[name] ?? "", width: cellWidth - 13, ellipsis: glyphs.ellipsis), x: x + 13,
                    y: rect.y + 1 + line, maxWidth: cellWidth - 13)
            }
        }
    }
}
