#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Renders a ``StatusReport`` as the compact table `haws status` prints for humans.
///
/// ```
/// edge-1  HAProxy 2.6.12 pid 13744 node vm up 12s  conns 29/4000  tunnels 25
/// BACKEND / SERVER   STATE        CHECK         WEIGHT  SESS  TUNNELS  QUEUE  ERRORS
/// ws_chat            UP 3/3                          3    25       25      0       0
///   s1               UP           L7OK 101           1     9        9      0       0
/// ```
/// Colour (ANSI) only when asked: the command decides from the TTY and `NO_COLOR`.
public struct StatusTableRenderer: Sendable {
    public var color: Bool
    /// Adds the PROBE column (`haws status --probe`) and the probes made through the frontend.
    public var showProbes: Bool

    public init(color: Bool, showProbes: Bool = false) {
        self.color = color
        self.showProbes = showProbes
    }

    public func render(_ report: StatusReport) -> String {
        var lines: [String] = []
        // Nothing reachable: the one Nagios line says it all; the errors go to stderr.
        if !report.instances.isEmpty, !report.instances.contains(where: \.reachable) {
            return paint(report.summary, .red) + "\n"
        }
        for instance in report.instances {
            lines.append(instanceLine(instance))
            if let note = instance.tunnelDetailNote { lines.append("  note: \(note)") }
            let backends = report.backends.filter { $0.instance == instance.name }
            guard instance.reachable, !backends.isEmpty else { continue }
            let header = ["BACKEND / SERVER", "STATE", "CHECK", "WEIGHT", "SESS", "TUNNELS", "QUEUE", "ERRORS"]
            lines.append(paint(row(header + (showProbes ? ["PROBE"] : [])), .bold))
            for backend in backends {
                let state = backend.serversTotal > 0 ? "\(backend.status) \(backend.serversUp)/\(backend.serversTotal)" : backend.status
                let line = row([
                    backend.name, state, "", "", String(backend.sessions), backend.tunnels.map(String.init) ?? "-",
                    String(backend.queue), String(backend.errors),
                ] + (showProbes ? [Self.probeCell(of: backend)] : []))
                lines.append(paint(line, backend.status.uppercased().hasPrefix("DOWN") ? .red : .bold))
                for server in backend.servers {
                    let check = [server.checkStatus, server.checkCode.map(String.init)].compactMap { $0 }.joined(separator: " ")
                    let line = row([
                        "  " + server.name, server.status, check, String(server.weight), String(server.sessions),
                        Self.tunnelsCell(server), String(server.queue), String(server.errors),
                    ] + (showProbes ? [Self.probeCell(server.probe)] : []))
                    lines.append(paint(line, server.probe?.verdict == .failed ? .red : colour(of: server)))
                }
            }
        }
        if showProbes, let probes = report.probes, !probes.frontends.isEmpty {
            lines.append("")
            lines.append(paint("PROBES THROUGH HAPROXY", .bold))
            for frontend in probes.frontends {
                let line = "  \(frontend.url)  \(Self.probeCell(frontend.probe))"
                lines.append(paint(line, frontend.probe.verdict == .failed ? .red : .green))
            }
        }
        if !report.problems.isEmpty {
            lines.append("")
            for problem in report.problems { lines.append(problem) }
        }
        lines.append(paint(report.summary, report.verdict == .ok ? .green : (report.verdict == .warning ? .yellow : .red)))
        return lines.joined(separator: "\n") + "\n"
    }

    private func instanceLine(_ instance: StatusReport.InstanceEntry) -> String {
        guard instance.reachable else {
            return paint("\(instance.name)  UNREACHABLE: \(instance.error ?? "unknown error")", .red)
        }
        var parts = [instance.name]
        if let version = instance.version { parts.append("HAProxy \(version)") }
        if let pid = instance.pid { parts.append("pid \(pid)") }
        if let node = instance.node { parts.append("node \(node)") }
        if let uptime = instance.uptimeSeconds { parts.append("up \(Self.duration(uptime))") }
        if let current = instance.currentConnections {
            parts.append("conns \(current)/\(instance.maxConnections.map(String.init) ?? "-")")
        }
        parts.append("tunnels \(instance.tunnels.map(String.init) ?? "-")")
        if instance.oldWorkerTunnelsPartial == true {
            parts.append("(old workers: at least \(instance.oldWorkerTunnels ?? 0), partial)")
        } else if let old = instance.oldWorkerTunnels, old > 0 {
            parts.append("(old workers: \(old))")
        }
        if instance.stopping == true { parts.append("STOPPING") }
        return paint(parts.joined(separator: "  "), .bold)
    }

    private static let widths = [18, 14, 14, 6, 6, 8, 6, 7]

    /// `pass 1.9ms`, `FAIL bad_accept`, `n/a` (not probeable), `-` (not probed).
    static func probeCell(_ probe: StatusReport.ProbeEntry?) -> String {
        guard let probe else { return "-" }
        switch probe.verdict {
        case .passed:
            return probe.timingsMs.map { "pass " + Self.milliseconds($0.total) } ?? "pass"
        case .failed:
            return "FAIL " + (probe.failureCode ?? "")
        case .notProbeable:
            return "n/a"
        }
    }

    /// `2/3 pass`: servers of the backend whose probe passed, of those probed.
    static func probeCell(of backend: StatusReport.BackendEntry) -> String {
        let probed = backend.servers.compactMap(\.probe).filter { $0.verdict != .notProbeable }
        guard !probed.isEmpty else { return "" }
        return "\(probed.filter { $0.verdict == .passed }.count)/\(probed.count) pass"
    }

    /// `0.84ms`, `12.3ms`, `1204ms`: two significant decimals where they matter.
    static func milliseconds(_ value: Double) -> String {
        if value < 10 { return String(printf: "%.2fms", value) }
        if value < 100 { return String(printf: "%.1fms", value) }
        return String(printf: "%.0fms", value)
    }

    private func row(_ cells: [String]) -> String {
        var out = ""
        for (index, cell) in cells.enumerated() {
            guard index < Self.widths.count else {
                out += "  " + cell  // PROBE: free text, last
                continue
            }
            let width = Self.widths[index]
            if index < 3 {
                out += cell.count >= width ? String(cell.prefix(width - 1)) + " " : cell + String(repeating: " ", count: width - cell.count)
            } else {
                out += " " + (cell.count >= width ? cell : String(repeating: " ", count: width - cell.count) + cell)
            }
        }
        while out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    enum Paint: String {
        case bold = "1", red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", dim = "2"
    }

    private func colour(of server: StatusReport.ServerEntry) -> Paint {
        switch (server.adminState, server.operState) {
        case (.maint?, _): return .magenta
        case (.drain?, _): return .blue
        case (_, .down?), (_, .goingUp?): return .red
        case (_, .goingDown?), (_, .nolb?): return .yellow
        case (_, .up?), (_, .noCheck?): return .green
        default: return .dim
        }
    }

    private func paint(_ text: String, _ paint: Paint) -> String {
        color ? "\u{1B}[\(paint.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// `12s`, `5m03s`, `2h04m`, `3d02h`: the scale an operator reads at a glance.
    public static func duration(_ seconds: Int) -> String {
        let s = max(0, seconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m\(two(s % 60))s" }
        if s < 86_400 { return "\(s / 3_600)h\(two(s % 3_600 / 60))m" }
        return "\(s / 86_400)d\(two(s % 86_400 / 3_600))h"
    }

    /// `12`, or `12-15` while HTTP requests in flight beside the tunnels leave the exact count open.
    static func tunnelsCell(_ server: StatusReport.ServerEntry) -> String {
        guard let tunnels = server.tunnels else { return "-" }
        if server.tunnelsExact == false, let lower = server.tunnelsLower, let upper = server.tunnelsUpper {
            return "\(lower)-\(upper)"
        }
        return String(tunnels)
    }
}
