import HawsCore

/// Maps what HAProxy says about its servers to probe targets: one per server, or a reason it cannot be probed.
///
/// Pure: a snapshot and settings in, a plan out, so every address form HAProxy prints is tested without sockets.
/// The address is the CSV's `addr` (`ip:port`, `[ipv6]:port`) or, where a `level user` socket hides it,
/// `show servers state`. A server is never skipped silently: port 0 (HAProxy reuses the client's destination port),
/// mapped ports (`-N` shows as such; HAProxy 2.6 prints `+N` as a plain port, which only a per-backend `port`
/// can correct), a missing or unresolved address, a Unix socket, MAINT, and backends left out by the settings all
/// come back as ``PlannedProbe/Disposition/notProbeable(reason:)`` with what to change.
public enum ProbeTargetDiscovery {
    /// One entry per server of every backend of `snapshot`, in CSV order.
    public static func plan(for snapshot: InstanceSnapshot, settings: ProbeSettings) -> ProbePlan {
        var entries: [PlannedProbe] = []
        // Reserved whole: grown by doubling, its last step held the old array and one twice its size at once, every
        // round (10,000 servers: 8,192 entries and room for 16,384).
        entries.reserveCapacity(snapshot.backends.reduce(0) { $0 + $1.servers.count })
        for backend in snapshot.backends {
            let backendSettings = settings.settings(forBackend: backend.name)
            // One target per backend, copied to each server's address: its request's box is shared
            // (``ProbeTarget/at(host:port:)``), not made anew for each of 10,000 servers every round.
            let template = backendSettings.target(host: "", port: 0)
            for server in backend.servers {
                let key = ProbeKey.server(server.key, instance: snapshot.instance)
                let disposition = Self.disposition(
                    of: server,
                    in: snapshot,
                    backendSettings: backendSettings,
                    settings: settings,
                    template: template
                )
                entries.append(PlannedProbe(key: key, disposition: disposition))
            }
        }
        return ProbePlan(entries: entries)
    }

    /// The plan for what a read gave: the snapshot's servers, or the instance marked unavailable.
    public static func plan(for reading: InstanceReading, settings: ProbeSettings) -> ProbePlan {
        switch reading {
        case .read(let snapshot):
            return Self.plan(for: snapshot, settings: settings)
        case .unreachable(let instance, _):
            return ProbePlan(unavailableInstances: [instance])
        }
    }

    /// The whole plan of a round: the servers of every reading (unreachable instances marked unavailable) and the
    /// frontend URLs, reported under `frontendInstance`. What `haws status --probe` probes, and what a long-running
    /// consumer returns from ``ProbeScheduler``'s `targets` closure with the monitor's latest readings.
    public static func plan(
        for readings: [InstanceReading],
        settings: ProbeSettings,
        frontendInstance: String
    ) -> ProbePlan {
        readings.map { Self.plan(for: $0, settings: settings) }.reduce(ProbePlan(), +)
            + Self.frontendPlan(settings, instance: frontendInstance)
    }

    /// The frontend URLs of `settings`, reported under `instance`.
    public static func frontendPlan(_ settings: ProbeSettings, instance: String) -> ProbePlan {
        ProbePlan(
            entries: settings.frontends.map { target in
                PlannedProbe(
                    key: .frontend(target.url, instance: instance),
                    disposition: .probe(target, mode: settings.options.mode)
                )
            }
        )
    }

    static func disposition(
        of server: Server,
        in snapshot: InstanceSnapshot,
        backendSettings: BackendProbeSettings,
        settings: ProbeSettings,
        template: ProbeTarget? = nil
    ) -> PlannedProbe.Disposition {
        let backend = server.backend
        if let only = settings.onlyBackends, !only.contains(backend) {
            return .notProbeable(reason: "backend \(backend) is not listed in [probes] backends")
        }
        if !backendSettings.enabled {
            return .notProbeable(
                reason: "probes are disabled for \(backend) ([probes.backend.\(backend)] enabled = false)"
            )
        }
        if server.status.admin == .maint {
            return .notProbeable(reason: "in MAINT: HAProxy sends it no traffic, so it is not probed")
        }
        let endpoint: Endpoint
        switch Self.endpoint(of: server, in: snapshot) {
        case .success(let found):
            endpoint = found
        case .failure(let problem):
            if let port = backendSettings.port, let host = problem.host {
                return Self.probe(host: host, port: port, backendSettings, settings, template: template)
            }
            return .notProbeable(reason: problem.reason(backend: backend))
        }
        return Self.probe(
            host: endpoint.host, port: backendSettings.port ?? endpoint.port, backendSettings, settings,
            template: template)
    }

    private static func probe(
        host: String,
        port: Int,
        _ backendSettings: BackendProbeSettings,
        _ settings: ProbeSettings,
        template: ProbeTarget?
    ) -> PlannedProbe.Disposition {
        .probe(
            template?.at(host: host, port: port) ?? backendSettings.target(host: host, port: port),
            mode: backendSettings.mode ?? settings.options.mode
        )
    }

    // MARK: - Addresses

    /// A TCP address to probe.
    struct Endpoint: Sendable, Hashable {
        var host: String
        var port: Int
    }

    /// Why a server's address is not probeable as HAProxy gave it.
    struct AddressProblem: Error, Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case missing
            case portZero
            case mappedPort(String)
            case unresolved
            case notTCP(String)
            case malformed(String)
        }

        var kind: Kind
        /// The host part when it is usable with an explicit port (port 0, mapped ports).
        var host: String?

        func reason(backend: String) -> String {
            let setPort = "set `port` in [probes.backend.\(backend)] to probe a fixed port"
            switch self.kind {
            case .missing:
                return "HAProxy gave no address (addr is hidden at this socket level and `show servers state` "
                    + "gave none); use an operator or admin socket, or the stats page"
            case .portZero:
                return "port 0: HAProxy connects to whatever port the client connected to, so there is no port "
                    + "to probe; \(setPort)"
            case .mappedPort(let offset):
                return "mapped port (\(offset)): HAProxy adds it to the port the client connected to, so there is "
                    + "no fixed port to probe; \(setPort)"
            case .unresolved:
                return "address not resolved yet (0.0.0.0 or ::, e.g. `init-addr none`): nothing to connect to"
            case .notTCP(let address):
                return "'\(address)' is not a TCP address: WebSocket probes connect over TCP only"
            case .malformed(let address):
                return "address '\(address)' is not ip:port"
            }
        }
    }

    /// The server's address: `addr` from the CSV, else `show servers state`, checked for probeability.
    static func endpoint(of server: Server, in snapshot: InstanceSnapshot) -> Result<Endpoint, AddressProblem> {
        if let address = server.address {
            return Self.parse(address)
        }
        guard let record = snapshot.serverStates[server.key], let address = record.address else {
            return .failure(AddressProblem(kind: .missing))
        }
        return Self.check(
            host: address,
            portText: record.port.map(String.init) ?? "",
            original: address,
            unsignedPort: true
        )
    }

    /// Parses HAProxy's `addr` forms: `10.0.0.1:8080`, `[::1]:8080`, `10.0.0.1:0`, `10.0.0.1:-5`, `unix`.
    static func parse(_ address: String) -> Result<Endpoint, AddressProblem> {
        let text = address.trimmingOptionalWhitespace
        if text.isEmpty {
            return .failure(AddressProblem(kind: .missing))
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(AddressProblem(kind: .malformed(text)))
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                return .failure(AddressProblem(kind: .malformed(text)))
            }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure(AddressProblem(kind: .malformed(text)))  // an IPv6 literal without brackets
            }
        } else {
            return .failure(AddressProblem(kind: .notTCP(text)))  // `unix`, `abns@...`
        }
        return Self.check(host: String(host), portText: String(portText), original: text)
    }

    /// Port 0, mapped ports and unresolved addresses are not probeable; anything else must be a port in range.
    ///
    /// - Parameter unsignedPort: the port comes from `show servers state`, which prints `-N` as `2^32 - N`.
    static func check(
        host: String,
        portText: String,
        original: String,
        unsignedPort: Bool = false
    ) -> Result<Endpoint, AddressProblem> {
        guard !host.isEmpty else {
            return .failure(AddressProblem(kind: .malformed(original)))
        }
        if host == "0.0.0.0" || host == "::" {
            return .failure(AddressProblem(kind: .unresolved))
        }
        if portText.hasPrefix("+") || portText.hasPrefix("-") {
            return .failure(AddressProblem(kind: .mappedPort(portText), host: host))
        }
        guard let port = Int(portText) else {
            return .failure(AddressProblem(kind: .malformed(original)))
        }
        if port == 0 {
            return .failure(AddressProblem(kind: .portZero, host: host))
        }
        if unsignedPort, port > 65_535, port <= Int(UInt32.max), Int32(truncatingIfNeeded: UInt32(port)) < 0 {
            // `show servers state` prints a negative offset as an unsigned 32-bit number (-5 as 4294967291).
            let offset = Int32(truncatingIfNeeded: UInt32(port))
            return .failure(AddressProblem(kind: .mappedPort("\(offset)"), host: host))
        }
        guard (1...65_535).contains(port) else {
            return .failure(AddressProblem(kind: .malformed(original)))
        }
        return .success(Endpoint(host: host, port: port))
    }
}

extension ProbeTargetDiscovery {
    /// The instance a probe through HAProxy's frontend is reported under.
    ///
    /// A frontend URL belongs to no single instance (a VIP may lead to several): with one instance it is reported
    /// under it, so its event sits with that instance's; with several, under the neutral name `haproxy`.
    public static func frontendInstance(among instances: [String]) -> String {
        instances.count == 1 ? instances[0] : "haproxy"
    }
}
