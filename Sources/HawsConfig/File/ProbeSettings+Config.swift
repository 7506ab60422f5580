import HawsProbe

// The bridge from the config file's `[probes]` section to the probe engine's settings, used by every command that
// probes (`haws status --probe`, `haws top`, `haws agent`): the engine knows nothing of TOML, the reader nothing of
// what the probe engine accepts, so the checks that need both live here.

extension ProbeSettings {
    /// The settings of `[probes]` (defaults when absent), checked by the probe engine's own rules, with errors that
    /// name the file, the table and the key.
    ///
    /// - Parameter loadingFiles: `false` checks everything but the TLS files (``HawsConfigFile`` checks the section
    ///   so when it loads, for every command; the commands that probe load the files).
    public init(config: ProbesConfig?, loadingFiles: Bool = true) throws(ConfigFileError) {
        self.init()
        guard let config else {
            return
        }
        if let interval = config.interval { self.interval = interval }
        if let concurrency = config.concurrency { self.concurrency = concurrency }
        if let jitter = config.jitter { self.jitter = jitter }
        if let budget = config.budget { self.budget = budget }
        if let timeout = config.timeout { self.options.timeouts = .all(timeout) }
        if let mode = config.defaults.mode.flatMap(ProbeOptions.Mode.init(name:)) { self.options.mode = mode }
        self.options.tls = TLSProfile(
            caFile: config.caFile,
            certificateFile: config.certFile,
            privateKeyFile: config.keyFile,
            insecure: config.insecure ?? false
        )
        if loadingFiles {
            try Self.load(self.options.tls, config: config)
        }
        if let text = config.message {
            do {
                self.options.message = try ProbeMessage(text: text, expectedReply: config.expect ?? "")
            } catch {
                throw config.invalidValue("expect", error.description)
            }
        }
        for text in config.frontends {
            do throws(ProbeTargetError) {
                try self.addFrontend(text)
            } catch {
                throw config.invalidValue("frontend", "\(text): \(error.reason)")
            }
        }
        self.onlyBackends = config.onlyBackends.map(Set.init)
        self.defaults = try Self.backendSettings(config.defaults, config: config)
        for name in config.backends.keys {
            self.backends[name] = try Self.backendSettings(config.request(forBackend: name), config: config)
        }
    }

    /// Loaded now, as for `haws probe --ca-file`: a bad file is a bad config, not a failure every round.
    private static func load(_ tls: TLSProfile, config: ProbesConfig) throws(ConfigFileError) {
        do throws(ProbeFailure) {
            try tls.validate()
        } catch {
            guard case .tls(let reason) = error else { throw config.invalidValue("ca_file", "\(error)") }
            let key =
                reason.contains("client key")
                ? "key_file" : reason.contains("client certificate") ? "cert_file" : "ca_file"
            throw config.invalidValue(key, reason)
        }
    }

    private static func backendSettings(
        _ request: ProbesConfig.Request,
        config: ProbesConfig
    ) throws(ConfigFileError) -> BackendProbeSettings {
        let settings = BackendProbeSettings(
            enabled: request.enabled ?? true,
            path: request.path ?? "/",
            hostHeader: request.host,
            origin: request.origin,
            tls: request.tls ?? false,
            serverName: request.serverName,
            subprotocols: request.subprotocols ?? [],
            headers: (request.headers ?? []).map { ProbeHeader(name: $0.name, value: $0.value) },
            port: request.port,
            mode: request.mode.flatMap(ProbeOptions.Mode.init(name:))
        )
        do {
            // The probe engine's own checks (tokens, reserved headers), on a stand-in address.
            try settings.target(host: "192.0.2.1", port: 80).validate()
        } catch {
            throw ConfigFileError(.invalidValue, file: config.file, at: request.location, error.reason)
        }
        return settings
    }
}
