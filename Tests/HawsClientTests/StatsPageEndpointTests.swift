import Testing

@testable import HawsClient

@Suite struct StatsPageEndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:8404/stats;csv", "/stats;csv", 8404),
        ("http://127.0.0.1:8404/stats", "/stats;csv", 8404),
        ("http://127.0.0.1:8404/stats?scope=ws", "/stats;csv?scope=ws", 8404),
        ("http://127.0.0.1:8404/stats;up", "/stats;up;csv", 8404),
        ("http://127.0.0.1:8404/stats;csv;norefresh", "/stats;csv;norefresh", 8404),
        ("http://127.0.0.1:8404", "/;csv", 8404),
        ("http://127.0.0.1/haproxy?stats", "/haproxy;csv?stats", 80),
        ("https://lb.example.com/stats#top", "/stats;csv", 443),
    ])
    func appendsCSVAndKeepsTheQuery(url: String, target: String, port: Int) throws {
        let endpoint = try StatsPageEndpoint(parsing: url)
        #expect(endpoint.target == target)
        #expect(endpoint.port == port)
    }

    @Test func readsSchemeHostAndUser() throws {
        let endpoint = try StatsPageEndpoint(parsing: "HTTPS://admin@[::1]:8443/stats")
        #expect(endpoint.scheme == .https)
        #expect(endpoint.host == "::1")
        #expect(endpoint.user == "admin")
        #expect(endpoint.hostIsIPLiteral)
        #expect(endpoint.hostHeader == "[::1]:8443")
        #expect(endpoint.description == "https://[::1]:8443/stats;csv")
    }

    @Test func percentDecodesTheUser() throws {
        #expect(try StatsPageEndpoint(parsing: "http://ops%40corp@lb:8404/stats").user == "ops@corp")
    }

    @Test func hostHeaderOmitsTheDefaultPort() throws {
        #expect(try StatsPageEndpoint(parsing: "http://lb.example.com/stats").hostHeader == "lb.example.com")
        #expect(try StatsPageEndpoint(parsing: "https://lb.example.com:8443/").hostHeader == "lb.example.com:8443")
        #expect(try !StatsPageEndpoint(parsing: "https://lb.example.com/").hostIsIPLiteral)
    }

    @Test func refusesAPasswordAndNeverEchoesIt() {
        do {
            _ = try StatsPageEndpoint(parsing: "http://admin:s3cret@127.0.0.1:8404/stats")
            Issue.record("a password in the URL was accepted")
        } catch {
            #expect(error.problem == .passwordInURL)
            #expect(!error.description.contains("s3cret"))
            #expect(error.description.contains("admin:***@127.0.0.1"))
            #expect(error.description.contains("--stats-password-file"))
        }
    }

    @Test(arguments: [
        ("", StatsPageEndpointError.Problem.empty),
        ("127.0.0.1:8404/stats", .missingScheme),
        ("ftp://127.0.0.1/stats", .unsupportedScheme("ftp")),
        ("http:///stats", .badHost),
        ("http://127.0.0.1:0/stats", .badPort("0")),
        ("http://127.0.0.1:x/stats", .badPort("x")),
        ("http://::1:8404/stats", .badHost),
        ("http://127.0.0.1/st ats", .invalidCharacter),
        ("http://@127.0.0.1/stats", .badUser),
    ])
    func rejectsInvalidURLs(url: String, problem: StatsPageEndpointError.Problem) {
        #expect(throws: StatsPageEndpointError(input: url, problem: problem)) {
            try StatsPageEndpoint(parsing: url)
        }
    }
}
