#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns instance readings into a ``StatusReport``: verdict, findings and the tables, applying a
/// ``StatusPolicy``. Pure: the same readings and policy always give the same report.
public enum StatusEvaluator {
    /// - Parameter probes: the probe round of `haws status --probe`; `nil` without it (no probe fields, findings or
    ///   table column).
    public static func evaluate(
        _ readings: [InstanceReading], policy: StatusPolicy, probes: StatusProbeResults? = nil, now: Date = Date()
    ) -> StatusReport {
        var findings: [Finding] = []
        var instances: [StatusReport.InstanceEntry] = []
        var frontends: [StatusReport.FrontendEntry] = []
        var backends: [StatusReport.BackendEntry] = []
        var serverCount = 0
        var serversUp = 0
        var totalTunnels: Int?

        for reading in readings {
            switch reading {
            case .unreachable(let name, let error):
                findings.append(Finding(severity: .unknown, instance: name, object: name, message: "unreachable: \(error)"))
                instances.append(StatusReport.InstanceEntry(name: name, reachable: false, error: error))
            case .read(let snapshot):
                let name = snapshot.instance
                let tunnels = snapshot.totalTunnels
                if let tunnels { totalTunnels = (totalTunnels ?? 0) + tunnels }
                instances.append(
                    StatusReport.InstanceEntry(
                        name: name, reachable: true, error: nil, pid: snapshot.info?.pid,
                        version: snapshot.info?.version, node: snapshot.info?.node,
                        uptimeSeconds: snapshot.info?.uptimeSeconds,
                        currentConnections: snapshot.info?.currentConnections,
                        maxConnections: snapshot.info?.maxConnections, stopping: snapshot.info?.isStopping,
                        tunnels: tunnels,
                        oldWorkerTunnels: snapshot.oldWorkerTunnels == nil ? nil : snapshot.oldWorkerTunnelTotal,
                        oldWorkerTunnelsPartial: snapshot.oldWorkerTunnels == nil ? nil : snapshot.oldWorkerTunnelsArePartial,
                        tunnelDetail: snapshot.tunnelDetail,
                        tunnelDetailNote: snapshot.serverTunnelsUnavailable?.description,
                        skippedRows: snapshot.stats.skippedRows))
                if let info = snapshot.info, let current = info.currentConnections,
                    let severity = policy.sessionSeverity(current: current, limit: info.maxConnections)
                {
                    findings.append(
                        Finding(
                            severity: severity, instance: name, object: name,
                            message: "\(current) of maxconn \(info.maxConnections ?? 0) connections in use"))
                }
                if snapshot.stats.skippedRows > 0 {
                    findings.append(
                        Finding(
                            severity: .ok, instance: name, object: name,
                            message: "\(snapshot.stats.skippedRows) malformed stats rows skipped"))
                }
                if snapshot.oldWorkerTunnelsArePartial {
                    findings.append(
                        Finding(
                            severity: .ok, instance: name, object: name,
                            message: "old-worker tunnel count is partial (\(snapshot.oldWorkerTunnelTotal) counted): "
                                + snapshot.oldWorkersUnread.joined(separator: "; ")))
                }
                for note in snapshot.parseNotes {
                    findings.append(Finding(severity: .ok, instance: name, object: name, message: note))
                }
                for frontend in snapshot.frontends {
                    frontends.append(
                        StatusReport.FrontendEntry(
                            instance: name, name: frontend.name, status: frontend.status, sessions: frontend.sessions,
                            sessionLimit: frontend.sessionLimit, sessionRate: frontend.sessionRate,
                            requestRate: frontend.requestRate, requestErrors: frontend.requestErrors))
                    if let severity = policy.sessionSeverity(current: frontend.sessions, limit: frontend.sessionLimit) {
                        findings.append(
                            Finding(
                                severity: severity, instance: name, object: frontend.name,
                                message: "frontend at \(frontend.sessions) of \(frontend.sessionLimit ?? 0) sessions"))
                    }
                    if frontend.status.uppercased() == "STOP" || frontend.status.uppercased() == "PAUSED" {
                        findings.append(
                            Finding(severity: .ok, instance: name, object: frontend.name, message: "frontend \(frontend.status)"))
                    }
                }
                for backend in snapshot.backends {
                    let entry = backendEntry(backend, in: snapshot, probes: probes)
                    serverCount += entry.serversTotal
                    serversUp += entry.serversUp
                    backends.append(entry)
                    findings += backendFindings(backend, instance: name, policy: policy)
                    if let probes {
                        findings += probeFindings(backend, instance: name, probes: probes, policy: policy)
                    }
                }
            }
        }

        if let probes {
            findings += frontendProbeFindings(probes, policy: policy)
        }

        findings.sort { ($0.severity.rank, $1.object) > ($1.severity.rank, $0.object) }
        let verdict = Severity.worst(findings.map(\.severity))
        let showInstance = readings.count > 1
        let reachable = instances.filter(\.reachable).count
        var summaryParts: [String] = []
        if reachable == 0 {
            // With --probe-frontend a failing probe may outrank UNKNOWN; the summary still says why nothing was read.
            let unreachable = findings.first { $0.severity == .unknown } ?? findings.first
            summaryParts.append(unreachable?.message ?? "no instance configured")
            if let probes, !probes.frontends.isEmpty {
                summaryParts.append(probeSummaryText(probes))
                summaryParts += findings.filter { $0 != unreachable && $0.severity != .ok }.prefix(2)
                    .map { $0.line(showInstance: showInstance) }
            }
        } else {
            summaryParts.append("\(backends.count) backends, \(serversUp)/\(serverCount) servers up")
            summaryParts.append(totalTunnels.map { "\($0) tunnels" } ?? "tunnels unknown")
            if readings.count > 1 { summaryParts.append("\(reachable)/\(readings.count) instances reachable") }
            if let probes { summaryParts.append(probeSummaryText(probes)) }
        }
        let listed = findings.prefix(3).map { $0.line(showInstance: showInstance) }
        var summary = "HAWS \(verdict.label) - " + summaryParts.joined(separator: ", ")
        if reachable > 0, !listed.isEmpty {
            summary += "; " + listed.joined(separator: "; ") + (findings.count > 3 ? "; +\(findings.count - 3) more" : "")
        }
        return StatusReport(
            generatedAt: RFC3339.string(now), verdict: verdict, exitCode: Int(verdict.exitCode), summary: summary,
            problems: findings.map { $0.line(showInstance: showInstance) }, findings: findings,
            instances: instances, frontends: frontends, backends: backends, probes: probes.map(probeSummary))
    }

    static func backendEntry(
        _ backend: Backend, in snapshot: InstanceSnapshot, probes: StatusProbeResults? = nil
    ) -> StatusReport.BackendEntry {
        let servers = backend.servers.map { server in
            let count = snapshot.tunnelCount(of: server)
            let tally = count?.tally
            var entry = StatusReport.ServerEntry(
                name: server.name, status: server.status.raw, adminState: server.status.admin,
                operState: server.status.operational, weight: server.weight, sessions: server.sessions,
                sessionLimit: server.sessionLimit, tunnels: tally?.count, oldestTunnelSeconds: tally?.oldestSeconds,
                queue: server.queue, errors: server.errors, checkStatus: server.check?.description,
                checkCode: server.checkCode, checkDescription: server.checkDescription, lastCheck: server.lastCheck,
                address: snapshot.address(of: server), backup: server.isBackup,
                probe: probes?.probe(instance: snapshot.instance, server: server.key))
            entry.tunnelsExact = count?.isExact
            entry.tunnelsLower = count?.lower
            entry.tunnelsUpper = count?.upper
            return entry
        }
        return StatusReport.BackendEntry(
            instance: snapshot.instance, name: backend.name, status: backend.status, sessions: backend.sessions,
            sessionLimit: backend.sessionLimit, tunnels: snapshot.tunnels(of: backend), queue: backend.queue,
            errors: backend.errors,
            serversUp: backend.servers.filter { $0.status.isAlive && $0.status.admin != .maint }.count,
            serversTotal: backend.servers.count, servers: servers)
    }

    static func backendFindings(_ backend: Backend, instance: String, policy: StatusPolicy) -> [Finding] {
        var findings: [Finding] = []
        if backend.hasNoServerUp {
            let detail = backend.servers.isEmpty ? "HAProxy reports it \(backend.status)" : "no server up (of \(backend.servers.count))"
            findings.append(Finding(severity: policy.backendNoServerUp, instance: instance, object: backend.name, message: detail))
        }
        // No session finding for the backend itself: its `slim` is `fullconn` (by default 10% of the maxconn of
        // the frontends that use it), the load at which HAProxy scales its servers' dynamic limits (`minconn`),
        // not a limit it enforces. Backends have no session limit of their own; their servers' `maxconn` are.
        for server in backend.servers {
            let object = server.key.description
            let check = [server.check?.code, server.checkDescription ?? server.lastCheck].compactMap { $0 }.joined(separator: ", ")
            let because = check.isEmpty ? "" : " (\(check))"
            switch server.status.admin {
            case .maint?:
                findings.append(Finding(severity: policy.serverMaint, instance: instance, object: object, message: "\(server.status.raw)"))
            case .drain?:
                findings.append(Finding(severity: policy.serverDrain, instance: instance, object: object, message: "\(server.status.raw)"))
                if server.status.isDown {
                    findings.append(Finding(severity: policy.serverDown, instance: instance, object: object, message: "DOWN while draining\(because)"))
                }
            case .ready?:
                if server.status.isDown {
                    findings.append(Finding(severity: policy.serverDown, instance: instance, object: object, message: "\(server.status.raw)\(because)"))
                } else if server.status.operational == .goingDown {
                    findings.append(Finding(severity: .ok, instance: instance, object: object, message: "\(server.status.raw), checks failing\(because)"))
                }
            case nil:
                if !server.status.raw.isEmpty {
                    findings.append(Finding(severity: .ok, instance: instance, object: object, message: "unrecognised status \"\(server.status.raw)\""))
                }
            }
            if let severity = policy.sessionSeverity(current: server.sessions, limit: server.sessionLimit) {
                findings.append(
                    Finding(
                        severity: severity, instance: instance, object: object,
                        message: "at \(server.sessions) of \(server.sessionLimit ?? 0) sessions"))
            }
        }
        return findings
    }
}

extension StatusEvaluator {
    /// Per server: a failing probe while HAProxy says the server is up is a problem (HAProxy keeps sending it clients
    /// that cannot connect); on a server already DOWN it is an OK-level note; a server that could not be probed is
    /// listed with the reason. Per backend: probed servers of which none passes is `backendNoProbePassing`.
    static func probeFindings(
        _ backend: Backend, instance: String, probes: StatusProbeResults, policy: StatusPolicy
    ) -> [Finding] {
        var findings: [Finding] = []
        var probed = 0
        var failed = 0
        for server in backend.servers {
            guard let probe = probes.probe(instance: instance, server: server.key) else { continue }
            let object = server.key.description
            switch probe.verdict {
            case .passed:
                probed += 1
            case .notProbeable:
                findings.append(
                    Finding(
                        severity: .ok, instance: instance, object: object,
                        message: "not probed: \(probe.message ?? "")"))
            case .failed:
                probed += 1
                failed += 1
                let what = probe.headline ?? probe.failureCode ?? "probe failed"
                if server.status.isDown {
                    findings.append(
                        Finding(severity: .ok, instance: instance, object: object, message: "probe fails too: \(what)"))
                } else {
                    let stage = probe.isHandshakeFailure ? "handshake fails" : "WebSocket fails after the handshake"
                    let state = server.status.raw.isEmpty ? "nothing" : server.status.raw
                    findings.append(
                        Finding(
                            severity: policy.probeFailure, instance: instance, object: object,
                            message: "HAProxy says \(state), \(stage): \(what)"))
                }
            }
        }
        if probed > 0, failed == probed {
            findings.append(
                Finding(
                    severity: policy.backendNoProbePassing, instance: instance, object: backend.name,
                    message: "no server passes the WebSocket probe (\(failed) of \(probed) failing)"))
        }
        return findings
    }

    /// A URL probed through HAProxy: its failure is placed in HAProxy or in the application by comparing with the
    /// servers probed directly.
    static func frontendProbeFindings(_ probes: StatusProbeResults, policy: StatusPolicy) -> [Finding] {
        let direct = probes.serverEntries.filter { $0.verdict != .notProbeable }
        let directFailed = direct.filter { $0.verdict == .failed }.count
        var findings: [Finding] = []
        for frontend in probes.frontends where frontend.probe.verdict != .passed {
            let object = "frontend \(frontend.url)"
            guard frontend.probe.verdict == .failed else {
                findings.append(
                    Finding(
                        severity: .ok, instance: frontend.instance, object: object,
                        message: "not probed: \(frontend.probe.message ?? "")"))
                continue
            }
            let what = frontend.probe.headline ?? frontend.probe.failureCode ?? "probe failed"
            let placement: String
            if direct.isEmpty {
                placement = "no server was probed directly to compare"
            } else if directFailed == 0 {
                placement = "every server probed directly (\(direct.count)) passes: look at HAProxy (routing, ACLs, "
                    + "timeouts, limits), not the application"
            } else {
                placement = "\(directFailed) of \(direct.count) servers fail directly too: look at the application"
            }
            findings.append(
                Finding(
                    severity: policy.probeFailure, instance: frontend.instance, object: object,
                    message: "probe through HAProxy fails: \(what); \(placement)"))
        }
        return findings
    }

    static func probeSummary(_ probes: StatusProbeResults) -> StatusReport.ProbeSummary {
        let entries = probes.serverEntries
        let passed = entries.filter { $0.verdict == .passed }.count
        let failed = entries.filter { $0.verdict == .failed }.count
        return StatusReport.ProbeSummary(
            probed: passed + failed, passed: passed, failed: failed,
            notProbeable: entries.filter { $0.verdict == .notProbeable }.count, durationMs: probes.durationMs,
            frontends: probes.frontends.sorted { ($0.instance, $0.url) < ($1.instance, $1.url) })
    }

    /// `probes 5/6 passed` (servers and frontend URLs together).
    static func probeSummaryText(_ probes: StatusProbeResults) -> String {
        let all = probes.serverEntries + probes.frontends.map(\.probe)
        let probed = all.filter { $0.verdict != .notProbeable }
        return "probes \(probed.filter { $0.verdict == .passed }.count)/\(probed.count) passed"
    }
}

/// RFC 3339 timestamps with milliseconds, in UTC (`2026-11-25T16:23:00.123Z`).
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis / 1000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let year: Int32 = parts.tm_year + 1900
        let month: Int32 = parts.tm_mon + 1
        let millisecond = Int32(millis % 1000)
        return String(
            printf: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, month, parts.tm_mday, parts.tm_hour, parts.tm_min,
            parts.tm_sec, millisecond)
    }
}
