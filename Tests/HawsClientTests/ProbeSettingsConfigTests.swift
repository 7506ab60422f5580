import HawsProbe
import Testing

@testable import HawsClient

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
