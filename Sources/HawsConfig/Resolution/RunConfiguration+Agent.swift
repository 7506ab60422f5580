import HawsAgent
import HawsCore

extension RunConfiguration {
    /// Everything `haws agent` runs with: each setting from its flag when given, else from `[intervals]`,
    /// `[outputs]` and `[probes]`, else the default (``Precedence``); then lines go to standard output when nothing
    /// else is asked.
    ///
    /// - Throws: ``FlagError`` for a flag that cannot be used or flags that need each other, ``ConfigFileError``
    ///   for the file (already checked when it was loaded).
    public func agentSettings(_ flags: AgentFlags) throws -> AgentSettings {
        let defaults = AgentSettings()
        let written = try file?.agentSettings() ?? AgentFileSettings(file: "")
        var settings = AgentSettings()

        settings.statsInterval = Precedence.resolve(
            flag: try flags.interval.map { text throws(FlagError) in try DurationFlag.parse(text, flag: "--interval") },
            file: written.statsInterval, default: defaults.statsInterval)
        settings.sessionsInterval = Precedence.resolve(
            flag: try flags.sessionsInterval.map { text throws(FlagError) in
                try DurationFlag.parse(text, flag: "--sessions-interval")
            },
            file: written.sessionsInterval, default: defaults.sessionsInterval)
        settings.fullSnapshotInterval = Precedence.resolve(
            flag: try flags.fullSnapshotInterval.map { text throws(FlagError) in
                // Zero is documented: a full snapshot every poll.
                do { return try DurationParser.parse(text) } catch {
                    throw FlagError("--full-snapshot-interval: \(error)")
                }
            },
            file: written.fullSnapshotInterval, default: defaults.fullSnapshotInterval)
        settings.ndjson = Precedence.resolve(
            flag: flags.output.map(NDJSONDestination.init(argument:)),
            file: written.ndjson.map(NDJSONDestination.init(argument:)))
        settings.prometheus = Precedence.resolve(
            flag: try flags.prometheus.map { text throws(FlagError) in
                do { return try ListenAddress(parsing: text) } catch { throw FlagError("--prometheus: \(error)") }
            },
            file: try written.prometheus.map { text throws in try ListenAddress(parsing: text) })

        let size = Precedence.resolve(
            flag: try flags.rotateSize.map { text throws(FlagError) in
                do { return try ByteCount(parsing: text) } catch { throw FlagError("--rotate-size: \(error)") }
            },
            file: try written.rotateSize.map { text throws in try ByteCount(parsing: text) })
        if let size {
            let keep = Precedence.resolve(flag: flags.rotateKeep, file: written.rotateKeep, default: 5)
            settings.rotation = FileRotation(maxBytes: size.bytes, keep: keep)
        } else if flags.rotateKeep != nil {
            throw FlagError("--rotate-keep needs --rotate-size (or rotate_size in [outputs])")
        }

        settings.maxServerSeries = Precedence.resolve(
            flag: flags.maxServerSeries, file: written.maxServerSeries, default: defaults.maxServerSeries)
        settings.maxProbeSeries = Precedence.resolve(
            flag: flags.maxProbeSeries, file: written.maxProbeSeries, default: defaults.maxProbeSeries)
        settings.defaultToStandardOutput()
        if settings.rotation != nil, settings.ndjson == .standardOutput {
            throw FlagError("--rotate-size needs --output FILE: standard output cannot be rotated")
        }
        settings.probes = try continuousProbeSettings(flags.probe)
        return settings
    }
}
