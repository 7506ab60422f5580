extension StatusReport {
    /// The document `haws status --json` prints, on one line. Keys follow `Schemas/status.schema.json`;
    /// every key is always present and an unknown value is `null`, so a script can tell "0 tunnels" from
    /// "tunnels not countable here".
    ///
    /// - Parameter doctor: writes the value of the `doctor` member (`haws status --doctor`); nil writes `null`.
    public func json(doctor: ((inout JSONLineBuilder) -> Void)? = nil) -> String {
        let servers = backends.reduce(0) { $0 + $1.servers.count }
        var json = JSONLineBuilder(capacity: 2_048 + 600 * servers)
        json.beginObject()
        json.field("schema", schema)
        json.field("generated_at", generatedAt)
        json.field("verdict", verdict.label.lowercased())
        json.field("exit_code", exitCode)
        json.field("summary", summary)
        json.key("problems")
        json.beginArray()
        for problem in problems { json.string(problem) }
        json.endArray()
        json.key("findings")
        json.beginArray()
        for finding in findings {
            json.beginObject()
            json.field("severity", finding.severity.label.lowercased())
            json.field("instance", finding.instance)
            json.field("object", finding.object)
            json.field("message", finding.message)
            json.endObject()
        }
        json.endArray()
        json.key("instances")
        json.beginArray()
        for instance in instances { Self.write(instance, into: &json) }
        json.endArray()
        json.key("frontends")
        json.beginArray()
        for frontend in frontends {
            json.beginObject()
            json.field("instance", frontend.instance)
            json.field("name", frontend.name)
            json.field("status", frontend.status)
            json.field("sessions", frontend.sessions)
            json.field("session_limit", frontend.sessionLimit)
            json.field("session_rate", frontend.sessionRate)
            json.field("request_rate", frontend.requestRate)
            json.field("request_errors", frontend.requestErrors)
            json.endObject()
        }
        json.endArray()
        json.key("backends")
        json.beginArray()
        for backend in backends { Self.write(backend, into: &json) }
        json.endArray()
        if let probes {
            json.key("probes")
            json.beginObject()
            json.field("probed", probes.probed)
            json.field("passed", probes.passed)
            json.field("failed", probes.failed)
            json.field("not_probeable", probes.notProbeable)
            json.field("duration_ms", probes.durationMs)
            json.key("frontends")
            json.beginArray()
            for frontend in probes.frontends {
                json.beginObject()
                json.field("instance", frontend.instance)
                json.field("url", frontend.url)
                json.key("probe")
                Self.write(frontend.probe, into: &json)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        } else {
            json.nullField("probes")
        }
        if let doctor {
            json.key("doctor")
            doctor(&json)
        } else {
            json.nullField("doctor")
        }
        json.endObject()
        return String(decoding: json.takeLine(), as: UTF8.self)
    }

    private static func write(_ instance: InstanceEntry, into json: inout JSONLineBuilder) {
        json.beginObject()
        json.field("name", instance.name)
        json.field("reachable", instance.reachable)
        json.field("error", instance.error)
        json.field("pid", instance.pid)
        json.field("version", instance.version)
        json.field("node", instance.node)
        json.field("uptime_seconds", instance.uptimeSeconds)
        json.field("current_connections", instance.currentConnections)
        json.field("max_connections", instance.maxConnections)
        json.field("stopping", instance.stopping)
        json.field("tunnels", instance.tunnels)
        json.field("old_worker_tunnels", instance.oldWorkerTunnels)
        json.field("old_worker_tunnels_partial", instance.oldWorkerTunnelsPartial)
        json.field("tunnel_detail", instance.tunnelDetail)
        json.field("tunnel_detail_note", instance.tunnelDetailNote)
        json.field("skipped_rows", instance.skippedRows)
        json.endObject()
    }

    private static func write(_ backend: BackendEntry, into json: inout JSONLineBuilder) {
        json.beginObject()
        json.field("instance", backend.instance)
        json.field("name", backend.name)
        json.field("status", backend.status)
        json.field("sessions", backend.sessions)
        json.field("session_limit", backend.sessionLimit)
        json.field("tunnels", backend.tunnels)
        json.field("queue", backend.queue)
        json.field("errors", backend.errors)
        json.field("servers_up", backend.serversUp)
        json.field("servers_total", backend.serversTotal)
        json.key("servers")
        json.beginArray()
        for server in backend.servers {
            json.beginObject()
            json.field("name", server.name)
            json.field("status", server.status)
            json.field("admin_state", server.adminState?.rawValue)
            json.field("oper_state", server.operState?.rawValue)
            json.field("weight", server.weight)
            json.field("sessions", server.sessions)
            json.field("session_limit", server.sessionLimit)
            json.field("tunnels", server.tunnels)
            json.field("tunnels_exact", server.tunnelsExact)
            json.field("tunnels_lower", server.tunnelsLower)
            json.field("tunnels_upper", server.tunnelsUpper)
            json.field("oldest_tunnel_seconds", server.oldestTunnelSeconds)
            json.field("queue", server.queue)
            json.field("errors", server.errors)
            json.field("check_status", server.checkStatus)
            json.field("check_code", server.checkCode)
            json.field("check_description", server.checkDescription)
            json.field("last_check", server.lastCheck)
            json.field("address", server.address)
            json.field("backup", server.backup)
            if let probe = server.probe {
                json.key("probe")
                Self.write(probe, into: &json)
            } else {
                json.nullField("probe")
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }

    private static func write(_ probe: ProbeEntry, into json: inout JSONLineBuilder) {
        json.beginObject()
        json.field("verdict", probe.verdict.rawValue)
        json.field("url", probe.url)
        json.field("mode", probe.mode)
        json.field("failure_code", probe.failureCode)
        json.field("failure_phase", probe.failurePhase)
        json.field("headline", probe.headline)
        json.field("message", probe.message)
        json.field("http_status", probe.httpStatus)
        if let timings = probe.timingsMs {
            json.key("timings_ms")
            json.beginObject()
            json.field("resolve", timings.resolve)
            json.field("connect", timings.connect)
            json.field("tls", timings.tls)
            json.field("upgrade", timings.upgrade)
            json.field("ping", timings.ping)
            json.field("message", timings.message)
            json.field("close", timings.close)
            json.field("total", timings.total)
            json.endObject()
        } else {
            json.nullField("timings_ms")
        }
        json.endObject()
    }
}
