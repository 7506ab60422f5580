import Testing

@testable import HawsConfig

/// `[probes]`: types, checks and messages that name the file, the table and the key.
@Suite struct ProbesConfigTests {
    /// The example of the issue, verbatim.
    static let example = """
        [[instance]]
        socket = "/run/haproxy/admin.sock"

        [probes]
        interval = "10s"
        mode = "full"
        timeout = "5s"
        concurrency = 64
        frontend = "ws://127.0.0.1:80/chat"   # optional: also probe through HAProxy itself
        [probes.backend.ws_chat]
        path = "/chat"
        host = "chat.example.com"
        subprotocols = ["chat.v1"]
        tls = false

        """

    func probes(_ text: String) throws(ConfigFileError) -> ProbesConfig? {
        try HawsConfigFile(parsing: text, file: "haws.toml").probes()
    }

    func error(_ text: String) -> String? {
        do {
            _ = try self.probes(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsTheExample() throws {
        let probes = try #require(try self.probes(Self.example))
        #expect(probes.interval == .seconds(10))
        #expect(probes.timeout == .seconds(5))
        #expect(probes.concurrency == 64)
        #expect(probes.defaults.mode == "full")
        #expect(probes.frontends == ["ws://127.0.0.1:80/chat"])
        let chat = probes.request(forBackend: "ws_chat")
        #expect(chat.path == "/chat")
        #expect(chat.host == "chat.example.com")
        #expect(chat.subprotocols == ["chat.v1"])
        #expect(chat.tls == false)
        #expect(chat.mode == "full")  // from [probes]
        #expect(chat.location == "[probes.backend.ws_chat]")
        #expect(probes.request(forBackend: "other").path == nil)
    }

    @Test func noSectionIsNil() throws {
        #expect(try self.probes("[[instance]]\nsocket = \"/run/haproxy/admin.sock\"\n") == nil)
    }

    @Test func defaultsInTheSectionApplyToEveryBackend() throws {
        let text = """
            [probes]
            path = "/ws"
            origin = "https://app.example.com"
            headers = ["X-Probe: haws", "Cookie: a=b; c=d"]
            frontend = ["ws://10.0.0.1/chat", "wss://edge.example.com/chat"]
            backends = ["ws_chat", "ws_feed"]
            ca_file = "/etc/haws/ca.pem"
            message = "ping"
            expect = "^pong$"
            [probes.backend.ws_feed]
            path = "/feed"
            mode = "connect-only"
            port = 9443
            [probes.backend.http_api]
            enabled = false
            [probes.backend."api.v2"]
            tls = true

            """
        let probes = try #require(try self.probes(text))
        let feed = probes.request(forBackend: "ws_feed")
        #expect(feed.path == "/feed")
        #expect(feed.origin == "https://app.example.com")
        #expect(feed.mode == "connect-only")
        #expect(feed.port == 9443)
        #expect(feed.headers == [.init(name: "X-Probe", value: "haws"), .init(name: "Cookie", value: "a=b; c=d")])
        #expect(probes.request(forBackend: "http_api").enabled == false)
        #expect(probes.request(forBackend: "api.v2").tls == true)
        #expect(probes.request(forBackend: "api.v2").location == "[probes.backend.\"api.v2\"]")
        #expect(probes.frontends.count == 2)
        #expect(probes.onlyBackends == ["ws_chat", "ws_feed"])
        #expect(probes.caFile == "/etc/haws/ca.pem")
        #expect(probes.message == "ping")
        #expect(probes.expect == "^pong$")
    }

    @Test func errorsNameTheFileTheTableAndTheKey() {
        #expect(
            self.error("[probes]\nintervall = \"10s\"\n")
                == "haws.toml: [probes]: unknown key 'intervall'; did you mean 'interval'? (known keys: backend, "
                + "backends, budget, ca_file, cert_file, concurrency, continuous, expect, frontend, headers, host, insecure, "
                + "interval, jitter, key_file, message, mode, origin, path, port, server_name, subprotocols, timeout, "
                + "tls)"
        )
        #expect(
            self.error("[probes]\ninterval = 10\n")
                == "haws.toml: [probes], key interval: expected a duration string such as \"5s\" or \"500ms\", "
                + "found an integer"
        )
        #expect(
            self.error("[probes.backend.ws_chat]\npath = \"chat\"\n")
                == "haws.toml: [probes.backend.ws_chat], key path: 'chat' must start with '/' and have no spaces or "
                + "fragment"
        )
        #expect(
            self.error("[probes.backend.ws_chat]\ntls = \"no\"\n")
                == "haws.toml: [probes.backend.ws_chat], key tls: expected a boolean (true or false, without quotes), "
                + "found a string"
        )
        #expect(
            self.error("[probes.backend.ws_chat]\nsubprotocols = \"chat.v1\"\n")
                == "haws.toml: [probes.backend.ws_chat], key subprotocols: expected an array of strings, e.g. "
                + "[\"a\", \"b\"], found a string"
        )
        #expect(
            self.error("[probes.backend.ws_chat]\ninterval = \"5s\"\n")?.hasPrefix(
                "haws.toml: [probes.backend.ws_chat]: unknown key 'interval'"
            ) == true
        )
        #expect(
            self.error("[probes]\nmode = \"deep\"\n")
                == "haws.toml: [probes], key mode: 'deep' is not one of full, connect-only"
        )
        #expect(
            self.error("[probes]\nconcurrency = 0\n")
                == "haws.toml: [probes], key concurrency: must be from 1 to 10000 probes in flight, not 0"
        )
        #expect(
            self.error("[probes]\nfrontend = \"http://127.0.0.1/chat\"\n")
                == "haws.toml: [probes], key frontend: 'http://127.0.0.1/chat' is not a ws:// or wss:// URL "
                + "(or NAME=URL)"
        )
        #expect(
            self.error("[probes]\nheaders = [\"X-Probe haws\"]\n")
                == "haws.toml: [probes], key headers: 'X-Probe haws' is not 'Name: value'"
        )
        #expect(
            self.error("[probes]\nport = 0\n") == "haws.toml: [probes], key port: must be from 1 to 65535, not 0"
        )
        #expect(
            self.error("[probes]\ncert_file = \"/etc/haws/client.pem\"\n")
                == "haws.toml: [probes], key cert_file: cert_file and key_file go together (a client certificate "
                + "and its key)"
        )
        #expect(
            self.error("[probes]\nexpect = \"^ok$\"\n")
                == "haws.toml: [probes], key expect: expect needs message: the text whose reply it checks"
        )
        #expect(
            self.error("[probes.backend]\nws_chat = \"/chat\"\n")
                == "haws.toml: [probes.backend], key ws_chat: expected a table: write [probes.backend.ws_chat] and "
                + "its keys below it"
        )
        #expect(
            self.error("[probes]\ntimeout = \"0s\"\n") == "haws.toml: [probes], key timeout: must be more than 0, "
                + "e.g. \"5s\""
        )
    }

    @Test func laterChecksUseTheSameLocations() throws {
        let probes = try #require(try self.probes(Self.example))
        #expect(probes.location(of: "frontend") == "[probes], key frontend")
        let error = probes.invalidValue("path", in: probes.request(forBackend: "ws_chat"), "bad")
        #expect(error.description == "haws.toml: [probes.backend.ws_chat], key path: bad")
    }
}
