import HawsAgent

/// The config file's settings for `haws agent`: `[intervals]` and `[outputs]`.
///
/// ```toml
/// [intervals]
/// stats = "1s"          # show info + show stat: one NDJSON line per instance per poll
/// sessions = "5s"       # show sess all: per-server tunnels
///
/// [outputs]
/// ndjson = "/var/log/haws/agent.ndjson"   # or "-" for standard output
/// prometheus = "127.0.0.1:9101"
/// rotate_size = "100MB"
/// rotate_keep = 5
/// max_server_series = 10000
/// max_probe_series = 500
/// full_snapshot_interval = "5m"   # full snapshot lines this often, changes lines between ("0s": every poll)
/// ```
///
/// Everything is checked here, when the file is loaded, with the file, section and key in every message: types,
/// durations, the metrics address, the rotation size and the keys that go together. `prometheus` and `rotate_size`
/// are kept as written; ``RunConfiguration/agentSettings(_:)`` turns them into the agent's types.
public struct AgentFileSettings: Sendable, Hashable {
    public static let intervalKeys = ["stats", "sessions"]
    public static let outputKeys = [
        "ndjson", "prometheus", "rotate_size", "rotate_keep", "max_server_series", "max_probe_series",
        "full_snapshot_interval",
    ]

    public var file: String
    public var statsInterval: Duration?
    public var sessionsInterval: Duration?
    public var ndjson: String?
    public var prometheus: String?
    public var rotateSize: String?
    public var rotateKeep: Int?
    public var maxServerSeries: Int?
    public var maxProbeSeries: Int?
    public var fullSnapshotInterval: Duration?

    /// `haws.toml: [outputs], key rotate_size`, to prefix a message about a value read from the file.
    public func location(of key: String) -> String {
        let section = Self.intervalKeys.contains(key) ? "[intervals]" : "[outputs]"
        return "\(file): \(section), key \(key)"
    }
}

extension HawsConfigFile {
    /// Reads `[intervals]` and `[outputs]`; absent sections give `nil` settings.
    ///
    /// - Throws: ``ConfigFileError`` for a wrong type, a bad duration, address or size, a negative count, keys that
    ///   go together written alone, or an unknown key.
    public func agentSettings() throws(ConfigFileError) -> AgentFileSettings {
        var settings = AgentFileSettings(file: file)
        if var intervals = otherSections["intervals"] {
            settings.statsInterval = try intervals.positiveDuration("stats")
            settings.sessionsInterval = try intervals.positiveDuration("sessions")
            try intervals.rejectUnknownKeys(known: AgentFileSettings.intervalKeys)
        }
        if var outputs = otherSections["outputs"] {
            settings.ndjson = try outputs.string("ndjson")
            settings.prometheus = try outputs.string("prometheus")
            if case .integer(let bytes)? = outputs.values["rotate_size"] {
                _ = try? outputs.string("rotate_size")  // marks the key as read; a plain number is bytes
                settings.rotateSize = String(bytes)
            } else {
                settings.rotateSize = try outputs.string("rotate_size")
            }
            settings.rotateKeep = try outputs.integer("rotate_keep")
            settings.maxServerSeries = try outputs.integer("max_server_series")
            settings.maxProbeSeries = try outputs.integer("max_probe_series")
            settings.fullSnapshotInterval = try outputs.duration("full_snapshot_interval")
            try outputs.rejectUnknownKeys(known: AgentFileSettings.outputKeys)
            for (key, value) in [
                ("rotate_keep", settings.rotateKeep), ("max_server_series", settings.maxServerSeries),
                ("max_probe_series", settings.maxProbeSeries),
            ] {
                if let value, value < 0 { throw outputs.invalidValue(key, "must be 0 or more, not \(value)") }
            }
            if settings.ndjson?.isEmpty == true {
                throw outputs.invalidValue("ndjson", "must be a file path or \"-\" for standard output")
            }
            if let text = settings.prometheus {
                do { _ = try ListenAddress(parsing: text) } catch {
                    throw outputs.invalidValue("prometheus", "\(error)")
                }
            }
            if let text = settings.rotateSize {
                do { _ = try ByteCount(parsing: text) } catch {
                    throw outputs.invalidValue("rotate_size", "\(error)")
                }
            }
            if let keep = settings.rotateKeep {
                if keep > FileRotation.maximumKeep {
                    throw outputs.invalidValue(
                        "rotate_keep", "must be at most \(FileRotation.maximumKeep), not \(keep)")
                }
                if settings.rotateSize == nil {
                    throw ConfigFileError(
                        .missingKey, file: file, at: "[outputs], key rotate_keep", "needs rotate_size, e.g. \"100MB\"")
                }
            }
        }
        return settings
    }
}
