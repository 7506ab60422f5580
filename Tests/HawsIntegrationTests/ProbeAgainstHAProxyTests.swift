import Foundation
import HawsCore
import HawsLab
import HawsTestSupport
import Testing

/// `haws status --probe` and `haws probe` against a real HAProxy 2.6 and HawsLab backends on loopback.
///
/// Serialized like the other end-to-end suites: each test starts its own HAProxy and backends.
@Suite(.serialized) struct ProbeAgainstHAProxyTests {
    /// `ws_chat` (/chat): two correct servers. `ws_bad` (/bad): one correct server and one whose 101 carries a wrong
    /// Sec-WebSocket-Accept; HAProxy's `GET /health` check keeps both UP.
    static let spec = LabSpec(
        backends: [
            LabSpec.Backend("ws_chat", pathPrefix: "/chat", servers: [LabSpec.Server("s1"), LabSpec.Server("s2")]),
            LabSpec.Backend(
                "ws_bad",
                pathPrefix: "/bad",
                servers: [LabSpec.Server("b1"), LabSpec.Server("b2", mode: .wrongAccept)]
            ),
        ],
        defaultBackend: "ws_chat"
    )

    static func withLab(_ body: (Lab) async throws -> Void) async throws {
        let lab = try await Lab.start(Self.spec)
        do {
            // Right after start, checks may still be initialising: the point is "HAProxy says UP".
            for (backend, server) in [("ws_chat", "s1"), ("ws_chat", "s2"), ("ws_bad", "b1"), ("ws_bad", "b2")] {
                try await lab.waitForStatus(backend, server) { $0 == "UP" }
            }
            try await body(lab)
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    static func json(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    @Test func wrongAcceptUpInHAProxyIsFlaggedAndGoodServersAndTheFrontendPass() async throws {
        try await Self.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let frontend = "ws://127.0.0.1:\(lab.frontendPort)/chat"
            let output = try await Haws.run(["status", "--socket", socket, "--probe", "--probe-frontend", frontend, "--json"])
            #expect(output.code == 1, "stdout: \(output.stdout.prefix(800)) stderr: \(output.stderr)")
            let problems = try await SchemaValidator.validate(output.stdout, schema: "Schemas/status.schema.json")
            #expect(problems == nil, "schema violations: \(problems ?? "")")

            let report = try StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
            #expect(report.verdict == .warning)
            let bad = try #require(report.backends.first { $0.name == "ws_bad" })
            let b2 = try #require(bad.servers.first { $0.name == "b2" })
            #expect(b2.status == "UP")
            #expect(b2.probe?.verdict == .failed)
            #expect(b2.probe?.failureCode == "bad_accept")
            #expect(b2.probe?.httpStatus == 101)
            #expect(b2.probe?.message?.contains("Sec-WebSocket-Accept") == true)
            #expect(b2.probe?.timingsMs?.upgrade != nil)
            #expect(bad.servers.first { $0.name == "b1" }?.probe?.verdict == .passed)
            #expect(
                report.problems.contains("WARNING ws_bad/b2: HAProxy says UP, handshake fails: wrong Sec-WebSocket-Accept"),
                "\(report.problems)"
            )
            let chat = try #require(report.backends.first { $0.name == "ws_chat" })
            #expect(chat.servers.allSatisfy { $0.probe?.verdict == .passed }, "\(chat.servers.map(\.probe))")
            #expect(chat.servers.allSatisfy { $0.probe?.timingsMs?.ping != nil && $0.probe?.timingsMs?.close != nil })
            #expect(chat.servers.allSatisfy { $0.probe?.url?.hasPrefix("ws://127.0.0.1:") == true })
            // Through HAProxy itself: passes, so the fault of b2 is the application's, not HAProxy's.
            #expect(report.probes?.frontends.map(\.url) == [frontend])
            #expect(report.probes?.frontends.first?.probe.verdict == .passed)
            #expect(report.probes?.frontends.first?.probe.httpStatus == 101)
            #expect(report.probes?.probed == 4)
            #expect(report.probes?.failed == 1)
            #expect(report.summary.contains("probes 4/5 passed"), "\(report.summary)")

            let table = try await Haws.run(["status", "--socket", socket, "--probe"])
            #expect(table.code == 1)
            #expect(table.stdout.contains("PROBE"))
            #expect(table.stdout.contains("FAIL bad_accept"))
            #expect(table.stdout.contains("WARNING ws_bad/b2: HAProxy says UP, handshake fails: wrong Sec-WebSocket-Accept"))

            let plain = try await Haws.run(["status", "--socket", socket])
            #expect(plain.code == 0)  // without --probe, HAProxy's word is all there is
            #expect(!plain.stdout.contains("PROBE"))
            let lenient = try await Haws.run(["status", "--socket", socket, "--probe", "--probe-failure", "ok"])
            #expect(lenient.code == 0)
        }
    }

    @Test func probesSectionOfTheConfigFileApplies() async throws {
        try await Self.withLab { lab in
            let socket = try #require(lab.adminSocketPath)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let config = URL(fileURLWithPath: directory.file("haws.toml"))
            try """
                [[instance]]
                name = "lab"
                socket = "\(socket)"

                [probes]
                mode = "connect-only"
                timeout = "3s"
                frontend = "ws://127.0.0.1:\(lab.frontendPort)/chat"

                [probes.backend.ws_chat]
                path = "/chat"
                host = "chat.example.com"
                subprotocols = ["chat.v1"]

                [probes.backend.ws_bad]
                enabled = false

                """.write(to: config, atomically: true, encoding: .utf8)
            let output = try await Haws.run(["status", "--config", config.path, "--probe", "--json"])
            #expect(output.code == 0, "stdout: \(output.stdout.prefix(800)) stderr: \(output.stderr)")
            let report = try StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
            let chat = try #require(report.backends.first { $0.name == "ws_chat" })
            #expect(chat.servers.allSatisfy { $0.probe?.verdict == .passed && $0.probe?.mode == "connect-only" })
            #expect(chat.servers.allSatisfy { $0.probe?.url?.hasSuffix("/chat") == true })
            let bad = try #require(report.backends.first { $0.name == "ws_bad" })
            #expect(bad.servers.allSatisfy { $0.probe?.verdict == .notProbeable })
            #expect(report.problems.contains("OK ws_bad/b2: not probed: probes are disabled for ws_bad ([probes.backend.ws_bad] enabled = false)"))
            #expect(report.probes?.frontends.first?.instance == "lab")
            #expect(report.probes?.frontends.first?.probe.verdict == .passed)

            try "[probes.backend.ws_chat]\npath = \"chat\"\n".write(to: config, atomically: true, encoding: .utf8)
            let bad1 = try await Haws.run(["status", "--socket", socket, "--config", config.path, "--probe"])
            #expect(bad1.code == 3)
            #expect(bad1.stderr.contains("haws.toml: [probes.backend.ws_chat], key path: 'chat' must start with '/'"), "\(bad1.stderr)")
        }
    }

    @Test func probeCommandProfilesThroughHAProxyAndFailsOnARefusingServer() async throws {
        try await Self.withLab { lab in
            let url = "ws://127.0.0.1:\(lab.frontendPort)/chat"
            let output = try await Haws.run(["probe", url, "--count", "50", "--concurrency", "8", "--json"])
            #expect(output.code == 0, "stdout: \(output.stdout.prefix(800)) stderr: \(output.stderr)")
            let document = try #require(Self.json(output.stdout))
            #expect(document["schema"] as? String == "haws.probe/1")
            #expect(document["passed"] as? Bool == true)
            #expect(document["count"] as? Int == 50)
            #expect(document["concurrency"] as? Int == 8)
            #expect((document["handshakes_per_second"] as? Double ?? 0) > 0)
            let target = try #require((document["targets"] as? [[String: Any]])?.first)
            #expect(target["url"] as? String == url)
            #expect(target["probes"] as? Int == 50)
            #expect(target["passed"] as? Int == 50)
            let latency = try #require(target["latency"] as? [String: [String: Any]])
            for phase in ["connect", "upgrade", "ping", "close", "total"] {
                #expect(latency[phase]?["count"] as? Int == 50, "\(phase): \(String(describing: latency[phase]))")
                #expect((latency[phase]?["p99_ms"] as? Double).map { $0 >= 0 } == true)
            }

            let table = try await Haws.run(["probe", url, "--count", "20", "--concurrency", "4"])
            #expect(table.code == 0)
            #expect(table.stdout.contains("20 probes: 20 passed, 0 failed"))
            #expect(table.stdout.contains("handshakes/s"))
            #expect(table.stdout.contains("HAWS PROBE OK - 20/20 probes passed"))
        }

        let refusing = WebSocketBackendServer(name: "refusing")
        let port = try await refusing.start(mode: .refuseUpgrade, port: 0)
        let url = "ws://127.0.0.1:\(port)/ws"
        let failed = try await Haws.run(["probe", url])
        let json = try await Haws.run(["probe", url, "--json", "--mode", "connect-only"])
        await refusing.stop()
        #expect(failed.code == 2, "stdout: \(failed.stdout) stderr: \(failed.stderr)")
        #expect(failed.stdout.contains("status: server answered HTTP 400 Bad Request instead of 101"), "\(failed.stdout)")
        #expect(failed.stdout.contains("HAWS PROBE FAILED - 1 of 1 probes failed (status 1)"))
        #expect(json.code == 2)
        let document = try #require(Self.json(json.stdout))
        #expect(document["exit_code"] as? Int == 2)
        let result = (document["targets"] as? [[String: Any]])?.first?["result"] as? [String: Any]
        #expect(result?["http_status"] as? Int == 400)
        #expect((result?["failure"] as? [String: Any])?["code"] as? String == "status")

        let usage = try await Haws.run(["probe", "http://127.0.0.1/chat"])
        #expect(usage.code == 3)
        #expect(usage.stderr.contains("scheme 'http' is not ws or wss"))
    }
}
