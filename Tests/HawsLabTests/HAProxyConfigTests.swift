import HawsLab
import Testing

@Suite("HAProxy config rendering")
struct HAProxyConfigTests {
    static func sample() -> HAProxyConfig {
        HAProxyConfig(
            global: .init(
                statsSockets: [
                    .unix("/tmp/haws-x/admin.sock", level: .admin),
                    .unix("/tmp/haws-x/user.sock", level: .user),
                    .tcp(port: 20001),
                ]
            ),
            frontend: .init(
                bindPort: 20000,
                routes: [.init(pathPrefix: "/chat", backend: "ws_chat")],
                defaultBackend: "http_api",
                statsPage: .init(user: "admin", password: "haws")
            ),
            backends: [
                .init(name: "ws_chat", servers: [.init(name: "s1", port: 20010), .init(name: "s2", port: 20011)]),
                .init(name: "http_api", servers: [.init(name: "a1", port: 20030, check: nil)]),
            ]
        )
    }

    @Test("the rendered text has the expected shape and ends with a newline")
    func shape() throws {
        let text = Self.sample().rendered()
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n").map { String($0.drop { $0 == " " }) }
        for expected in [
            "stats socket /tmp/haws-x/admin.sock mode 600 level admin",
            "stats socket /tmp/haws-x/user.sock mode 600 level user",
            "stats socket ipv4@127.0.0.1:20001 level admin",
            "maxconn 4000",
            "mode http",
            "timeout connect 5s",
            "timeout tunnel 1h",
            "retries 0",
            "bind 127.0.0.1:20000",
            "stats enable",
            "stats uri /stats",
            "stats auth admin:haws",
            "stats admin if TRUE",
            "use_backend ws_chat if { path_beg /chat }",
            "default_backend http_api",
            "balance roundrobin",
            "option forwardfor",
            "option http-server-close",
            "option httpchk GET /health",
            "server s1 127.0.0.1:20010 check inter 500 fall 2 rise 1",
            "server a1 127.0.0.1:20030",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
    }

    @Test("names HAProxy would refuse, or that would inject config, are rejected")
    func rejectsBadNames() {
        var config = Self.sample()
        config.backends[0].name = "ws chat"
        #expect(throws: LabError.self) { try config.validate() }
        config = Self.sample()
        config.backends[0].servers[0].name = "s1\n    stats socket /tmp/evil"
        #expect(throws: LabError.self) { try config.validate() }
        config = Self.sample()
        config.frontend.routes[0].backend = "nope"
        #expect(throws: LabError.self) { try config.validate() }
        #expect(throws: Never.self) { try Self.sample().validate() }
    }

    @Test("the seed-style preset looks like the common guide")
    func seedStyle() {
        let text = HAProxyConfig.seedStyle(frontendPort: 20000, servers: [("ws1", 20010), ("ws2", 20011)]).rendered()
        #expect(text.contains("    timeout connect 5000\n"))
        #expect(text.contains("    stats auth admin:password\n"))
        #expect(text.contains("    stats refresh 10s\n"))
        #expect(text.contains("    server ws1 127.0.0.1:20010 check\n"))
        #expect(!text.contains("stats socket"))
        #expect(!text.contains("httpchk"))
    }

    @Test("HAProxy 2.6 accepts the rendered configs (haproxy -c)")
    func haproxyAccepts() async throws {
        try await HAProxyProcess.check(Self.sample())
        try await HAProxyProcess.check(.seedStyle(frontendPort: 20000, servers: [("ws1", 20010)]))
    }

    @Test("haproxy -c refusals surface as invalidConfig with HAProxy's message")
    func haproxyRefuses() async {
        var config = Self.sample()
        config.backends[0].balance = "nosuchalgo"
        await #expect {
            try await HAProxyProcess.check(config)
        } throws: { error in
            guard let error = error as? LabError else { return false }
            return error.code == .invalidConfig && error.detail.contains("balance only supports")
        }
    }

    @Test("time values keep HAProxy's spelling")
    func times() {
        #expect(HAProxyTime(.seconds(3600)).text == "1h")
        #expect(HAProxyTime(.milliseconds(500)).text == "500")
        #expect(HAProxyTime(.seconds(90)).text == "90s")
        #expect(HAProxyTime(.seconds(120)).text == "2m")
    }
}
