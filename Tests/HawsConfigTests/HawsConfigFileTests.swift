import HawsClient
import Testing

@testable import HawsConfig
import HawsTestSupport

@Suite struct HawsConfigFileTests {
    /// The example of the brief, verbatim.
    static let example = """
        [[instance]]
        name = "edge-1"
        socket = "/run/haproxy/admin.sock"
        master_socket = "/run/haproxy-master.sock"   # optional
        [[instance]]
        name = "edge-2"
        stats_url = "https://10.0.0.2:8404/stats;csv"
        stats_user = "admin"
        stats_password_file = "/etc/haws/edge-2.pass"
        stats_ca_file = "/etc/haws/ca.pem"
        [timeouts]
        request = "5s"

        """

    func parse(_ text: String) throws(ConfigFileError) -> HawsConfigFile {
        try HawsConfigFile(parsing: text, file: "haws.toml")
    }

    func parseError(_ text: String) -> ConfigFileError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheExample() throws {
        let config = try parse(Self.example)
        #expect(config.instances.count == 2)
        let edge1 = config.instances[0]
        #expect(edge1.name == "edge-1")
        #expect(edge1.runtime == .unix(path: "/run/haproxy/admin.sock"))
        #expect(edge1.master == .unix(path: "/run/haproxy-master.sock"))
        #expect(edge1.statsPage == nil)
        let edge2 = config.instances[1]
        #expect(edge2.runtime == nil)
        #expect(edge2.statsPage?.endpoint.description == "https://10.0.0.2:8404/stats;csv")
        #expect(edge2.statsPage?.user == "admin")
        #expect(edge2.statsPage?.passwordFile == "/etc/haws/edge-2.pass")
        #expect(edge2.statsPage?.tls == .verify(caFile: "/etc/haws/ca.pem"))
        #expect(config.requestTimeout == .seconds(5))
    }

    @Test func defaultNameIsTheEndpoint() throws {
        let config = try parse(
            """
            [[instance]]
            socket = "/run/haproxy/admin.sock"
            [[instance]]
            stats_url = "http://10.0.0.3:8404/stats"
            """
        )
        #expect(config.instances.map(\.name) == ["/run/haproxy/admin.sock", "10.0.0.3:8404"])
    }

    @Test func inlinePasswordIsRefused() throws {
        let failure = try #require(
            parseError(
                """
                [[instance]]
                name = "edge-2"
                stats_url = "https://10.0.0.2:8404/stats"
                stats_user = "admin"
                stats_password = "hunter2"
                """
            )
        )
        #expect(failure.kind == .refusedSecret)
        #expect(failure.description.hasPrefix("haws.toml: instance 1 ('edge-2'), key stats_password: "))
        #expect(failure.description.contains("stats_password_file"))
        #expect(!failure.description.contains("hunter2"))
    }

    @Test func unknownKeySuggestsTheRightOne() throws {
        let failure = try #require(parseError("[[instance]]\nsockt = \"/run/haproxy/admin.sock\"\n"))
        #expect(failure.kind == .unknownKey)
        #expect(failure.description.contains("instance 1"))
        #expect(failure.description.contains("unknown key 'sockt'; did you mean 'socket'?"))
    }

    /// The agent's and the probes' sections are checked when the file is loaded, by every command: a file that
    /// `haws agent` would refuse is refused by `haws status` too.
    @Test(arguments: [
        ("[outputs]\nrotate_kep = 5\n", "unknown key 'rotate_kep'; did you mean 'rotate_keep'?"),
        ("[outputs]\nrotate_keep = -1\n", "must be 0 or more, not -1"),
        ("[intervals]\nsessions = \"0s\"\n", "[intervals], key sessions"),
        ("[probes]\nintervl = \"5s\"\n", "unknown key 'intervl'"),
    ])
    func everySectionIsCheckedAtLoad(text: String, message: String) throws {
        let failure = try #require(parseError("[[instance]]\nsocket = \"/run/haproxy/admin.sock\"\n" + text))
        #expect(failure.description.contains(message), "\(failure)")
    }

    @Test func wrongTypeNamesKeyAndTypes() throws {
        let failure = try #require(
            parseError("[[instance]]\nstats_url = \"https://h:1/\"\nstats_insecure = \"yes\"\n")
        )
        #expect(failure.kind == .wrongType)
        #expect(
            failure.description
                == "haws.toml: instance 1, key stats_insecure: expected a boolean (true or false, without quotes), "
                + "found a string"
        )
    }

    @Test func badDurationSaysHowToWriteIt() throws {
        let failure = try #require(parseError("[timeouts]\nrequest = \"5\"\n"))
        #expect(failure.kind == .invalidValue)
        #expect(failure.description.hasPrefix("haws.toml: [timeouts], key request: invalid duration '5'"))
        let number = try #require(parseError("[timeouts]\nrequest = 5\n"))
        #expect(number.kind == .wrongType)
        let zero = try #require(parseError("[timeouts]\nrequest = \"0s\"\n"))
        #expect(zero.description.contains("more than 0"))
    }

    @Test func badEndpointsNameTheirKey() throws {
        let socket = try #require(parseError("[[instance]]\nsocket = \"tcp://127.0.0.1\"\n"))
        #expect(socket.description.hasPrefix("haws.toml: instance 1, key socket: "))
        let url = try #require(parseError("[[instance]]\nstats_url = \"http://a:pw@h/stats\"\n"))
        #expect(url.description.hasPrefix("haws.toml: instance 1, key stats_url: "))
        #expect(!url.description.contains("pw@"))
    }

    @Test func instanceNeedsSomethingToRead() throws {
        let failure = try #require(parseError("[[instance]]\nname = \"empty\"\n"))
        #expect(failure.kind == .missingKey)
        #expect(failure.description.contains("'empty'"))
        let orphan = try #require(parseError("[[instance]]\nsocket = \"/a.sock\"\nstats_user = \"admin\"\n"))
        #expect(orphan.description.contains("need stats_url"))
    }

    @Test func duplicateNamesAreRefused() throws {
        let failure = try #require(
            parseError("[[instance]]\nsocket = \"/a.sock\"\n[[instance]]\nsocket = \"/a.sock\"\n")
        )
        #expect(failure.kind == .duplicateName)
        #expect(failure.description.contains("instance 2"))
    }

    @Test func sectionsReservedForLaterAreKeptOthersRefused() throws {
        let config = try parse("[probes]\n")
        #expect(config.instances.isEmpty)
        #expect(config.otherSections["probes"] != nil)

        // [thresholds] is refused, not accepted unread: no policy may look applied that is not.
        let thresholds = try #require(parseError("[thresholds]\ndown = \"critical\"\n"))
        #expect(thresholds.description.contains("does not read [thresholds]"), "\(thresholds)")

        let unknown = try #require(parseError("[threshold]\ndown = \"critical\"\n"))
        #expect(unknown.kind == .unknownKey)
        #expect(unknown.description.contains("unknown section [threshold]; did you mean [thresholds]?"))
    }

    @Test func commonMistakes() throws {
        let single = try #require(parseError("[instance]\nsocket = \"/a.sock\"\n"))
        #expect(single.description.contains("[[instance]]"))
        let topLevel = try #require(parseError("socket = \"/a.sock\"\n"))
        #expect(topLevel.description.contains("inside an [[instance]]"))
        let syntax = try #require(parseError("[[instance]\n"))
        #expect(syntax.kind == .syntax)
        #expect(syntax.description.hasPrefix("haws.toml: line 1"))
    }

    @Test func loadNamesAMissingFile() throws {
        #expect(throws: ConfigFileError.self) { try HawsConfigFile.load(path: "/nonexistent/haws.toml") }
        do {
            _ = try HawsConfigFile.load(path: "/nonexistent/haws.toml")
        } catch {
            #expect(error.kind == .unreadable)
            #expect(
                error.description
                    == "/nonexistent/haws.toml: cannot read the config file (no such file): check --config"
            )
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("haws.toml", Self.example)
        #expect(try HawsConfigFile.load(path: path).instances.count == 2)
    }
}
