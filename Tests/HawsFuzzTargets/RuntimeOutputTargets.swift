import HawsCore

extension FuzzTarget {
    /// `show info`: every line is `Name: value`, but a garbled answer must still give a model, never a trap.
    public static let showInfo = FuzzTarget(name: "show-info") { (input) throws(FuzzViolation) in
        let info = InfoParser.parse(String(decoding: input, as: UTF8.self))
        _ = (info.pid, info.version, info.uptimeSeconds, info.currentConnections, info.maxConnections)
    }

    /// `show sess` and `show sess all`: stream records, their ages (HAProxy's human durations) and the
    /// per-server tunnel tally built from them.
    public static let showSess = FuzzTarget(name: "show-sess") { (input) throws(FuzzViolation) in
        let text = String(decoding: input, as: UTF8.self)
        let streams = SessionListParser.parse(text)
        for stream in streams {
            _ = (stream.isTunnel, stream.serverKey)
            if let age = stream.ageSeconds { try require(age >= 0, "a negative stream age") }
        }
        let tallies = TunnelCounter.perServer(streams)
        try require(tallies.values.reduce(0) { $0 + $1.count } <= streams.count, "more tunnels than streams")
        for token in text.split(separator: " ").prefix(64) { _ = HumanDuration.seconds(String(token)) }
    }

    /// `show servers state`: a version line, a `#` header naming the columns, then one row per server.
    public static let serversState = FuzzTarget(name: "servers-state") { (input) throws(FuzzViolation) in
        let result = ServersStateParser.parse(String(decoding: input, as: UTF8.self))
        try require(result.skippedRows >= 0, "a negative count of skipped rows")
        for record in result.records {
            _ = (record.key, record.adminState, record.endpoint, record.fields.count)
        }
    }

    /// `show proc` on the master CLI: the master, current and old workers, programs.
    public static let showProc = FuzzTarget(name: "show-proc") { (input) throws(FuzzViolation) in
        for entry in ProcListParser.parse(String(decoding: input, as: UTF8.self)) {
            _ = (entry.pid, entry.role, entry.isOld, entry.reloads, entry.uptime, entry.version)
        }
    }
}
