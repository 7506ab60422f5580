// Synthesised `Encodable` drops nil optionals; the schema promises explicit `null` ("not known")
// so that a script can tell "0 tunnels" from "tunnels not countable here". Hence these encoders.

extension StatusReport.InstanceEntry {
    enum CodingKeys: String, CodingKey {
        case name, reachable, error, pid, version, node, uptimeSeconds, currentConnections, maxConnections, stopping
        case tunnels, oldWorkerTunnels, tunnelDetail, tunnelDetailNote, skippedRows
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(reachable, forKey: .reachable)
        try c.encode(error, forKey: .error)
        try c.encode(pid, forKey: .pid)
        try c.encode(version, forKey: .version)
        try c.encode(node, forKey: .node)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(currentConnections, forKey: .currentConnections)
        try c.encode(maxConnections, forKey: .maxConnections)
        try c.encode(stopping, forKey: .stopping)
        try c.encode(tunnels, forKey: .tunnels)
        try c.encode(oldWorkerTunnels, forKey: .oldWorkerTunnels)
        try c.encode(tunnelDetail, forKey: .tunnelDetail)
        try c.encode(tunnelDetailNote, forKey: .tunnelDetailNote)
        try c.encode(skippedRows, forKey: .skippedRows)
    }
}

extension StatusReport.FrontendEntry {
    enum CodingKeys: String, CodingKey {
        case instance, name, status, sessions, sessionLimit, sessionRate, requestRate, requestErrors
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instance, forKey: .instance)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(sessions, forKey: .sessions)
        try c.encode(sessionLimit, forKey: .sessionLimit)
        try c.encode(sessionRate, forKey: .sessionRate)
        try c.encode(requestRate, forKey: .requestRate)
        try c.encode(requestErrors, forKey: .requestErrors)
    }
}

extension StatusReport.BackendEntry {
    enum CodingKeys: String, CodingKey {
        case instance, name, status, sessions, sessionLimit, tunnels, queue, errors, serversUp, serversTotal, servers
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(instance, forKey: .instance)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(sessions, forKey: .sessions)
        try c.encode(sessionLimit, forKey: .sessionLimit)
        try c.encode(tunnels, forKey: .tunnels)
        try c.encode(queue, forKey: .queue)
        try c.encode(errors, forKey: .errors)
        try c.encode(serversUp, forKey: .serversUp)
        try c.encode(serversTotal, forKey: .serversTotal)
        try c.encode(servers, forKey: .servers)
    }
}

extension StatusReport.ServerEntry {
    enum CodingKeys: String, CodingKey {
        case name, status, adminState, operState, weight, sessions, sessionLimit, tunnels, oldestTunnelSeconds
        case queue, errors, checkStatus, checkCode, checkDescription, lastCheck, address, backup, probe
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(adminState, forKey: .adminState)
        try c.encode(operState, forKey: .operState)
        try c.encode(weight, forKey: .weight)
        try c.encode(sessions, forKey: .sessions)
        try c.encode(sessionLimit, forKey: .sessionLimit)
        try c.encode(tunnels, forKey: .tunnels)
        try c.encode(oldestTunnelSeconds, forKey: .oldestTunnelSeconds)
        try c.encode(queue, forKey: .queue)
        try c.encode(errors, forKey: .errors)
        try c.encode(checkStatus, forKey: .checkStatus)
        try c.encode(checkCode, forKey: .checkCode)
        try c.encode(checkDescription, forKey: .checkDescription)
        try c.encode(lastCheck, forKey: .lastCheck)
        try c.encode(address, forKey: .address)
        try c.encode(backup, forKey: .backup)
        try c.encode(probe, forKey: .probe)
    }
}

extension StatusReport {
    enum CodingKeys: String, CodingKey {
        case schema, generatedAt, verdict, exitCode, summary, problems, findings, instances, frontends, backends, probes
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(summary, forKey: .summary)
        try c.encode(problems, forKey: .problems)
        try c.encode(findings, forKey: .findings)
        try c.encode(instances, forKey: .instances)
        try c.encode(frontends, forKey: .frontends)
        try c.encode(backends, forKey: .backends)
        try c.encode(probes, forKey: .probes)
    }
}

extension StatusReport.ProbeEntry {
    enum CodingKeys: String, CodingKey {
        case verdict, url, mode, failureCode, failurePhase, headline, message, httpStatus, timingsMs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(url, forKey: .url)
        try c.encode(mode, forKey: .mode)
        try c.encode(failureCode, forKey: .failureCode)
        try c.encode(failurePhase, forKey: .failurePhase)
        try c.encode(headline, forKey: .headline)
        try c.encode(message, forKey: .message)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(timingsMs, forKey: .timingsMs)
    }
}

extension StatusReport.PhaseTimings {
    enum CodingKeys: String, CodingKey {
        case resolve, connect, tls, upgrade, ping, message, close, total
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resolve, forKey: .resolve)
        try c.encode(connect, forKey: .connect)
        try c.encode(tls, forKey: .tls)
        try c.encode(upgrade, forKey: .upgrade)
        try c.encode(ping, forKey: .ping)
        try c.encode(message, forKey: .message)
        try c.encode(close, forKey: .close)
        try c.encode(total, forKey: .total)
    }
}

extension StatusReport.ProbeSummary {
    enum CodingKeys: String, CodingKey {
        case probed, passed, failed, notProbeable, durationMs, frontends
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(probed, forKey: .probed)
        try c.encode(passed, forKey: .passed)
        try c.encode(failed, forKey: .failed)
        try c.encode(notProbeable, forKey: .notProbeable)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(frontends, forKey: .frontends)
    }
}
