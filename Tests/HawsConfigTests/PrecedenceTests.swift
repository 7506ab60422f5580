import HawsAgent
import HawsProbe
import Testing

@testable import HawsConfig

/// One rule for every command: a flag given wins over the config file, the file over the default; "given" is
/// "written on the command line", so a flag given with the default's value still wins over the file.
@Suite struct PrecedenceTests {
    /// A file that sets everything a flag can also set, each to something other than the default.
    static let file = """
        [timeouts]
        request = "2s"

        [intervals]
        stats = "3s"
        sessions = "30s"

        [outputs]
        ndjson = "/var/log/haws/agent.ndjson"
        prometheus = "127.0.0.1:9333"
        rotate_size = "1MB"
        rotate_keep = 2
        max_server_series = 50
        max_probe_series = 7
        full_snapshot_interval = "1m"

        [probes]
        interval = "3s"
        budget = "off"
        frontend = "ws://127.0.0.1:8080/file"
        """

    static func configuration(_ flags: InstanceFlags = InstanceFlags(), file: String = Self.file) throws
        -> RunConfiguration
    {
        RunConfiguration(file: try HawsConfigFile(parsing: file, file: "haws.toml"), flags: flags)
    }

    @Test func theRule() {
        #expect(Precedence.resolve(flag: 1, file: 2, default: 3) == 1)
        #expect(Precedence.resolve(flag: nil, file: 2, default: 3) == 2)
        #expect(Precedence.resolve(flag: nil, file: nil, default: 3) == 3)
        #expect(Precedence.resolve(flag: 3, file: 2, default: 3) == 3)
        #expect(Precedence.resolve(flag: nil, file: nil as Int?) == nil)
        // A setting whose value may be "off" (`nil`): an explicit off on the command line still wins.
        #expect(Precedence.resolve(flag: .some(nil), file: .some(0.05), default: 0.03) == nil)
    }

    /// `haws status`, `top`, `agent`, `drain` and `doctor` all take their request deadline from here.
    @Test func requestTimeoutOfEveryCommand() throws {
        var flags = InstanceFlags()
        #expect(try Self.configuration(flags).requestTimeout() == .seconds(2))
        #expect(try Self.configuration(flags, file: "").requestTimeout() == InstanceFlags.defaultTimeout)
        flags.timeout = "5s"  // the default's value, given: it wins over the file's 2 s
        #expect(try Self.configuration(flags).requestTimeout() == .seconds(5))
        flags.timeout = "750ms"
        #expect(try Self.configuration(flags).requestTimeout() == .milliseconds(750))
        flags.timeout = "0s"
        #expect(throws: FlagError("--timeout: must be more than 0, e.g. 2s or 500ms, not '0s'")) {
            try Self.configuration(flags).requestTimeout()
        }
    }

    /// Instance flags name instances, not settings: they add to the file's, in file-then-flag order.
    @Test func instancesOfEveryCommand() throws {
        var flags = InstanceFlags()
        #expect(try Self.configuration(flags).instances().map(\.name) == [InstanceFlags.defaultSocket])
        let file = """
            [[instance]]
            name = "edge-1"
            socket = "/run/edge-1.sock"
            """
        flags.sockets = ["/run/edge-2.sock", "/run/edge-2.sock"]
        #expect(
            try Self.configuration(flags, file: file).instances().map(\.name) == [
                "edge-1", "/run/edge-2.sock", "/run/edge-2.sock#2",
            ])
        flags.statsUser = "admin"
        let needsURL = "--stats-user, --stats-password-file, --stats-ca-file and --stats-insecure need --stats-url"
        #expect(throws: FlagError(needsURL)) { try Self.configuration(flags, file: file).instances() }
    }

    /// `haws status --probe` and `haws doctor`: `[probes]` as written, `--probe-frontend` URLs added to the file's.
    @Test func statusAndDoctorProbes() throws {
        let settings = try Self.configuration().probeSettings(frontends: ["ws://127.0.0.1:8080/flag"])
        #expect(settings.interval == .seconds(3))
        #expect(settings.frontends.map(\.url) == ["ws://127.0.0.1:8080/file", "ws://127.0.0.1:8080/flag"])
        #expect(try Self.configuration(file: "").probeSettings(frontends: []).frontends.isEmpty)
        #expect(throws: FlagError.self) { try Self.configuration().probeSettings(frontends: ["http://x/"]) }
    }

    /// `haws top` (and the agent's probes): interval and budget from the flag when given, even at the default.
    @Test func topProbes() throws {
        let configuration = try Self.configuration()
        var flags = ContinuousProbeFlags()
        let fromFile = try #require(try configuration.continuousProbeSettings(flags))
        #expect(fromFile.interval == .seconds(3))
        #expect(fromFile.budget == nil)  // budget = "off"

        flags.probeInterval = "10s"
        flags.probeBudget = "3%"
        let fromFlags = try #require(try configuration.continuousProbeSettings(flags))
        #expect(fromFlags.interval == ProbeSettings.defaultInterval)
        #expect(fromFlags.budget == ProbeSettings.defaultBudget)

        let defaults = try #require(try Self.configuration(file: "").continuousProbeSettings(ContinuousProbeFlags()))
        #expect(defaults.interval == ProbeSettings.defaultInterval && defaults.budget == ProbeSettings.defaultBudget)

        flags = ContinuousProbeFlags()
        flags.noProbe = true
        #expect(try configuration.continuousProbeSettings(flags) == nil)
        // `continuous = false` turns probing off unless a probe flag asks for it.
        let off = try Self.configuration(file: "[probes]\ncontinuous = false\n")
        #expect(try off.continuousProbeSettings(ContinuousProbeFlags()) == nil)
        flags = ContinuousProbeFlags()
        flags.probeInterval = "10s"
        #expect(try off.continuousProbeSettings(flags)?.interval == ProbeSettings.defaultInterval)
    }

    /// `haws agent`: every setting the file holds, overridden by a flag given with the default's value.
    @Test func agentSettings() throws {
        let configuration = try Self.configuration()
        let fromFile = try configuration.agentSettings(AgentFlags())
        #expect(fromFile.statsInterval == .seconds(3))
        #expect(fromFile.sessionsInterval == .seconds(30))
        #expect(fromFile.fullSnapshotInterval == .seconds(60))
        #expect(fromFile.ndjson == NDJSONDestination(argument: "/var/log/haws/agent.ndjson"))
        #expect(fromFile.prometheus == ListenAddress(host: "127.0.0.1", port: 9333))
        #expect(fromFile.rotation == FileRotation(maxBytes: 1 << 20, keep: 2))
        #expect(fromFile.maxServerSeries == 50)
        #expect(fromFile.maxProbeSeries == 7)
        #expect(fromFile.probes?.interval == .seconds(3))

        let defaults = AgentSettings()
        var flags = AgentFlags()
        flags.interval = "1s"
        flags.sessionsInterval = "5s"
        flags.fullSnapshotInterval = "5m"
        flags.output = "/tmp/agent.ndjson"
        flags.prometheus = "9101"
        flags.rotateSize = "1MB"
        flags.rotateKeep = 5
        flags.maxServerSeries = 10_000
        flags.maxProbeSeries = 500
        flags.probe.probeInterval = "10s"
        let fromFlags = try configuration.agentSettings(flags)
        #expect(fromFlags.statsInterval == defaults.statsInterval)
        #expect(fromFlags.sessionsInterval == defaults.sessionsInterval)
        #expect(fromFlags.fullSnapshotInterval == defaults.fullSnapshotInterval)
        #expect(fromFlags.ndjson == NDJSONDestination(argument: "/tmp/agent.ndjson"))
        #expect(fromFlags.prometheus == ListenAddress(host: "127.0.0.1", port: 9101))
        #expect(fromFlags.rotation == FileRotation(maxBytes: 1 << 20, keep: 5))
        #expect(fromFlags.maxServerSeries == defaults.maxServerSeries)
        #expect(fromFlags.maxProbeSeries == defaults.maxProbeSeries)
        #expect(fromFlags.probes?.interval == ProbeSettings.defaultInterval)

        let bare = try Self.configuration(file: "").agentSettings(AgentFlags())
        #expect(bare.statsInterval == defaults.statsInterval && bare.rotation == nil && bare.prometheus == nil)
        #expect(bare.ndjson == .standardOutput)
    }

    /// Flags that need another one name it, and the file may supply it.
    @Test func agentFlagsThatGoTogether() throws {
        var flags = AgentFlags()
        flags.rotateKeep = 3
        #expect(throws: FlagError("--rotate-keep needs --rotate-size (or rotate_size in [outputs])")) {
            try Self.configuration(file: "").agentSettings(flags)
        }
        // rotate_size in the file, the count from the flag.
        #expect(try Self.configuration().agentSettings(flags).rotation == FileRotation(maxBytes: 1 << 20, keep: 3))
        flags = AgentFlags()
        flags.rotateSize = "1MB"
        #expect(throws: FlagError("--rotate-size needs --output FILE: standard output cannot be rotated")) {
            try Self.configuration(file: "").agentSettings(flags)
        }
        flags.rotateKeep = FileRotation.maximumKeep + 1
        #expect(throws: FlagError("--rotate-keep: must be at most 1000, not 1001")) { try flags.validate() }
    }
}
