import Foundation
import Testing

@testable import HawsClient
import HawsTestSupport

@Suite struct StatsPageSpecTests {
    let https = try! StatsPageEndpoint(parsing: "https://10.0.0.2:8404/stats")
    let http = try! StatsPageEndpoint(parsing: "http://admin@127.0.0.1:8404/stats")

    @Test func userComesFromTheURLOrTheFlag() throws {
        #expect(try StatsPageSpec(endpoint: http).user == "admin")
        #expect(try StatsPageSpec(endpoint: http, user: "admin").user == "admin")
        #expect(try StatsPageSpec(endpoint: https, user: "ops").user == "ops")
    }

    @Test func contradictionsAreRefused() {
        #expect(throws: StatsPageError.self) { try StatsPageSpec(endpoint: http, user: "ops") }
        #expect(throws: StatsPageError.self) { try StatsPageSpec(endpoint: http, caFile: "/etc/ca.pem") }
        #expect(throws: StatsPageError.self) { try StatsPageSpec(endpoint: http, insecure: true) }
        #expect(throws: StatsPageError.self) {
            try StatsPageSpec(endpoint: https, caFile: "/etc/ca.pem", insecure: true)
        }
        #expect(throws: StatsPageError.self) { try StatsPageSpec(endpoint: https, user: "a:b") }
    }

    @Test func tlsOptions() throws {
        #expect(try StatsPageSpec(endpoint: https).tls == .verify(caFile: nil))
        #expect(try StatsPageSpec(endpoint: https, caFile: "/ca.pem").tls == .verify(caFile: "/ca.pem"))
        #expect(try StatsPageSpec(endpoint: https, insecure: true).tls == .insecure)
    }

    @Test func passwordFileTrailingNewlineIsTrimmed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("pass", "pw with space \n")
        let credentials = try StatsPageCredentials.resolve(
            user: "admin",
            passwordFile: file,
            environment: ["HAWS_STATS_PASSWORD": "ignored"],
            for: http
        )
        #expect(credentials == StatsPageCredentials(user: "admin", password: "pw with space "))
        #expect(credentials?.description == "admin:***")
        #expect(credentials?.authorizationHeader == "Basic YWRtaW46cHcgd2l0aCBzcGFjZSA=")
    }

    @Test func passwordFromTheEnvironment() throws {
        let credentials = try StatsPageCredentials.resolve(
            user: "admin",
            passwordFile: nil,
            environment: ["HAWS_STATS_PASSWORD": "pw"],
            for: http
        )
        #expect(credentials == StatsPageCredentials(user: "admin", password: "pw"))
    }

    @Test func noUserMeansNoCredentials() throws {
        #expect(try StatsPageCredentials.resolve(user: nil, passwordFile: nil, environment: [:], for: http) == nil)
    }

    @Test func missingPasswordSaysWhereToPutIt() {
        do {
            _ = try StatsPageCredentials.resolve(user: "admin", passwordFile: nil, environment: [:], for: http)
            Issue.record("no error")
        } catch let error as StatsPageError {
            #expect(error.kind == .invalidSetup)
            #expect(error.description.contains("--stats-password-file"))
            #expect(error.description.contains("HAWS_STATS_PASSWORD"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unreadableOrEmptyPasswordFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let empty = try directory.write("empty", "\n")
        let missing = directory.file("missing")
        for (file, words) in [(empty, "is empty"), (missing, "no such file")] {
            do {
                _ = try StatsPageCredentials.resolve(user: "admin", passwordFile: file, environment: [:], for: http)
                Issue.record("no error for \(file)")
            } catch let error as StatsPageError {
                #expect(error.description.contains(file))
                #expect(error.description.contains(words), "\(error.description)")
            }
        }
    }
}

@Suite struct StatsPageCredentialsRedactionTests {
    @Test func passwordNeverPrints() {
        let credentials = StatsPageCredentials(user: "admin", password: "hunter2")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), dumped] {
            #expect(!text.contains("hunter2"), "\(text)")
            #expect(text.contains("admin"))
        }
    }
}
