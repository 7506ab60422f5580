import HawsProbe
import Testing

@testable import HawsConfig

/// The bridge from `[probes]` to the probe engine's settings, shared by `status --probe`, `top` and `agent`.
@Suite struct ProbeSettingsConfigTests {
    func settings(_ text: String) throws -> (ProbesConfig?, ProbeSettings) {
        let config = try HawsConfigFile(parsing: text, file: "haws.toml").probes()
        return (config, try ProbeSettings(config: config))
    }

    @Test func defaultsWithoutASectionAndTheFileWhenThere() throws {
        let (none, defaults) = try settings("[[instance]]\nsocket = \"/run/haproxy/admin.sock\"\n")
        #expect(none == nil)
        #expect(defaults.interval == .seconds(10) && defaults.options.mode == .full)

        let (config, settings) = try settings(
            """
            [probes]
            interval = "2s"
            continuous = false
            mode = "connect-only"
            frontend = "ws://127.0.0.1:80/chat"

            [probes.backend.ws_chat]
            path = "/chat"
            """)
        #expect(config?.continuous == false)
        #expect(settings.interval == .seconds(2))
        #expect(settings.options.mode == .connectOnly)
        #expect(settings.frontends.map(\.url) == ["ws://127.0.0.1:80/chat"])
        #expect(settings.settings(forBackend: "ws_chat").path == "/chat")
        #expect(settings.settings(forBackend: "other").path == "/")
    }

    @Test func wrongValuesNameTheFileAndKey() {
        #expect(throws: ConfigFileError.self) { try self.settings("[probes]\ncontinuous = \"no\"\n") }
        do {
            _ = try settings("[probes.backend.ws_chat]\nheaders = [\"Upgrade: h2c\"]\n")
            Issue.record("a reserved header is refused")
        } catch {
            #expect("\(error)".contains("haws.toml: [probes.backend.ws_chat]"), "\(error)")
        }
    }
}

/// `frontend = "NAME=URL"` (and `--probe-frontend NAME=URL`): the frontend a URL enters, for `haws top`'s row.
@Suite struct FrontendNameTests {
    @Test func aNameBeforeTheURLTiesItToAFrontend() throws {
        let config = try HawsConfigFile(
            parsing: """
                [probes]
                frontend = ["fe_main=ws://127.0.0.1:80/chat", "wss://127.0.0.1:443/feed?x=a=b"]
                """, file: "haws.toml"
        ).probes()
        let settings = try ProbeSettings(config: config)
        #expect(settings.frontends.map(\.url) == ["ws://127.0.0.1:80/chat", "wss://127.0.0.1:443/feed?x=a=b"])
        #expect(settings.frontendNames == ["ws://127.0.0.1:80/chat": "fe_main"])
    }

    @Test func aWrongNameOrURLSaysWhatToWrite() throws {
        var settings = ProbeSettings()
        #expect(throws: ProbeTargetError.self) { try settings.addFrontend("fe main=ws://127.0.0.1/") }
        #expect(throws: ProbeTargetError.self) { try settings.addFrontend("=ws://127.0.0.1/") }
        #expect(throws: ProbeTargetError.self) { try settings.addFrontend("fe_main=http://127.0.0.1/") }
        do {
            _ = try HawsConfigFile(parsing: "[probes]\nfrontend = \"fe main=ws://127.0.0.1/\"\n", file: "haws.toml")
                .probes().map { try ProbeSettings(config: $0) }
            Issue.record("a name with a space is refused")
        } catch {
            #expect("\(error)".contains("haws.toml: [probes], key frontend"), "\(error)")
            #expect("\(error)".contains("NAME=ws://"), "\(error)")
        }
        try settings.addFrontend("ws://127.0.0.1/")
        try settings.addFrontend("fe_main=ws://127.0.0.1/")
        #expect(settings.frontends.count == 1)
        #expect(settings.frontendNames == [settings.frontends[0].url: "fe_main"])
    }
}

extension ProbeSettingsConfigTests {
    /// The probe engine's checks run when the file loads, whatever the command reads it; only the TLS files wait
    /// for a command that probes.
    @Test func theEngineChecksRunWhenTheFileLoads() throws {
        #expect(throws: ConfigFileError.self) {
            try HawsConfigFile(parsing: "[probes.backend.ws_chat]\nheaders = [\"Upgrade: h2c\"]\n", file: "haws.toml")
        }
        #expect(throws: ConfigFileError.self) {
            try HawsConfigFile(parsing: "[probes]\nfrontend = \"fe main=ws://127.0.0.1/\"\n", file: "haws.toml")
        }
        let file = try HawsConfigFile(parsing: "[probes]\nca_file = \"/nonexistent/ca.pem\"\n", file: "haws.toml")
        do {
            _ = try ProbeSettings(config: file.probes())
            Issue.record("a CA file that cannot be read is refused when probing starts")
        } catch {
            #expect(error.description.hasPrefix("haws.toml: [probes], key ca_file: "), "\(error)")
        }
    }
}
