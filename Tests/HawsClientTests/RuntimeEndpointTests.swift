import Testing

@testable import HawsClient

@Suite struct RuntimeEndpointTests {
    @Test(arguments: [
        ("/run/haproxy/admin.sock", RuntimeEndpoint.unix(path: "/run/haproxy/admin.sock")),
        ("unix:/run/haproxy/admin.sock", .unix(path: "/run/haproxy/admin.sock")),
        ("unix@/run/haproxy/admin.sock", .unix(path: "/run/haproxy/admin.sock")),
        ("unix:///run/haproxy/admin.sock", .unix(path: "/run/haproxy/admin.sock")),
        ("./admin.sock", .unix(path: "./admin.sock")),
        ("admin.sock", .unix(path: "admin.sock")),
        ("tcp://127.0.0.1:9999", .tcp(host: "127.0.0.1", port: 9999)),
        ("tcp://[::1]:9999", .tcp(host: "::1", port: 9999)),
        ("tcp://haproxy.internal:9999/", .tcp(host: "haproxy.internal", port: 9999)),
        ("ipv4@127.0.0.1:9999", .tcp(host: "127.0.0.1", port: 9999)),
        ("ipv6@::1:9999", .tcp(host: "::1", port: 9999)),
        ("ipv6@[::1]:9999", .tcp(host: "::1", port: 9999)),
        ("tcp@10.0.0.1:1", .tcp(host: "10.0.0.1", port: 1)),
        ("127.0.0.1:9999", .tcp(host: "127.0.0.1", port: 9999)),
    ])
    func parsesEveryAcceptedForm(text: String, expected: RuntimeEndpoint) throws {
        #expect(try RuntimeEndpoint(parsing: text) == expected)
    }

    @Test(arguments: [
        ("", RuntimeEndpointError.Problem.empty),
        ("   ", .empty),
        ("tcp://127.0.0.1", .missingPort),
        ("tcp://127.0.0.1:0", .badPort("0")),
        ("tcp://127.0.0.1:70000", .badPort("70000")),
        ("ipv4@127.0.0.1:http", .badPort("http")),
        ("ipv4@::1:9999", .badHost),
        ("tcp://:9999", .badHost),
        ("abns@haproxy", .unsupportedScheme("abns")),
        ("fd@3", .unsupportedScheme("fd")),
        ("http://127.0.0.1:8404/stats", .unsupportedScheme("http")),
        ("/run/a.sock\nshow sess", .controlCharacter),
        ("/" + String(repeating: "a", count: 120), .pathTooLong(121)),
    ])
    func rejectsInvalidValues(text: String, problem: RuntimeEndpointError.Problem) {
        #expect(throws: RuntimeEndpointError(input: text, problem: problem)) {
            try RuntimeEndpoint(parsing: text)
        }
    }

    @Test(arguments: ["/run/haproxy/admin.sock", "tcp://127.0.0.1:9999", "tcp://[::1]:9999"])
    func descriptionParsesBack(text: String) throws {
        let endpoint = try RuntimeEndpoint(parsing: text)
        #expect(endpoint.description == text)
        #expect(try RuntimeEndpoint(parsing: endpoint.description) == endpoint)
    }

    @Test func errorsAreOneActionableLine() {
        let error = RuntimeEndpointError(input: "tcp://127.0.0.1", problem: .missingPort)
        #expect(error.description.contains("tcp://127.0.0.1"))
        #expect(error.description.contains("host:port"))
        let multiline = RuntimeEndpointError(input: "/a\nb", problem: .controlCharacter)
        #expect(!multiline.description.contains("\n"))
    }
}
