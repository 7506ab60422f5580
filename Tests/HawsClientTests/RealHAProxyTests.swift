import Foundation
import HawsCore
import HawsLab
import Testing

@testable import HawsClient

/// Against a real HAProxy (Debian's 2.6.12, and 3.0.11 when `make test` sets `HAWS_HAPROXY`): what the fakes
/// imitate, checked at the source. Serialized: each test owns one HAProxy process, run by the lab's launcher.
@Suite(.serialized, .enabled(if: HAProxyExecutable.isAvailable, "needs haproxy (or HAWS_HAPROXY)"))
struct RealHAProxyTests {
    /// What the tests talk to: an admin and a user `stats socket`, a stats page with `stats auth admin:pw`, and in
    /// master-worker mode the master CLI.
    struct TestHAProxy {
        let process: HAProxyProcess
        let statsPort: Int
        var adminSocket: String { process.directory.file("admin.sock") }
        var userSocket: String { process.directory.file("user.sock") }
        var masterSocket: String? { process.masterSocketPath }
    }

    /// Runs `body` against a real HAProxy (the binary `HAProxyExecutable` finds) in a private directory, and always
    /// stops it and removes the directory afterwards. Backend `ws_chat` has one unchecked server on a port nothing
    /// listens on: the runtime API's writes need a server to name, not one that answers.
    ///
    /// - Parameter masterWorker: run as Debian's service does (`-W -S master.sock`).
    static func withHAProxy(masterWorker: Bool = false, _ body: (TestHAProxy) async throws -> Void) async throws {
        let directory = try LabDirectory.create(prefix: "haws-client")
        defer { directory.remove() }
        let ports = try FreePort.pick(count: 2)
        let config = HAProxyConfig(
            global: .init(statsSockets: [
                .unix(directory.file("admin.sock"), level: .admin), .unix(directory.file("user.sock"), level: .user),
            ]),
            frontend: .init(
                bindPort: ports[0], defaultBackend: "ws_chat",
                statsPage: .init(uri: "/stats", user: "admin", password: "pw", adminCondition: nil)),
            backends: [
                .init(name: "ws_chat", healthCheckPath: nil, servers: [.init(name: "s1", port: ports[1], check: nil)])
            ])
        let haproxy = try HAProxyProcess(
            config: config, options: .init(masterWorker: masterWorker), directory: directory)
        try await haproxy.whileRunning {
            try await body(TestHAProxy(process: haproxy, statsPort: ports[0]))
        }
    }

    @Test func runtimeAPIStatsPageAndCrash() async throws {
        try await Self.withHAProxy { haproxy in
            let admin = RuntimeAPIClient(endpoint: .unix(path: haproxy.adminSocket))
            let user = RuntimeAPIClient(endpoint: .unix(path: haproxy.userSocket))

            // Reads.
            let info = try await admin.send("show info")
            #expect(info.contains("Pid: \(try #require(await haproxy.process.pid))"))
            #expect(try await admin.send("show stat").hasPrefix("# pxname,"))
            #expect(try await user.send("show stat").hasPrefix("# pxname,"))
            // Read as bytes (the poll's way), `show stat` parses to the same table as the string answer.
            let statBytes = try await admin.sendForBytes("show stat")
            let fromBytes = try StatsCSVParser.parse(bytes: statBytes)
            let fromText = try StatsCSVParser.parse(String(decoding: statBytes, as: UTF8.self))
            #expect(fromBytes.backends.map(\.name) == fromText.backends.map(\.name))
            #expect(fromBytes.backends.flatMap(\.servers).map(\.row.values) == fromText.backends.flatMap(\.servers).map(\.row.values))
            #expect(!fromBytes.backends.flatMap(\.servers).isEmpty)

            // A level user socket refuses operator reads and admin writes.
            let sessions = await #expect(throws: RuntimeAPIError.self) { try await user.send("show sess") }
            #expect(sessions?.kind == .levelTooLow)
            #expect(sessions?.description.contains("level operator") == true)
            let drain = await #expect(throws: RuntimeAPIError.self) {
                try await user.send("set server ws_chat/s1 state drain")
            }
            #expect(drain?.kind == .levelTooLow)
            #expect(drain?.description.contains("stats socket \(haproxy.userSocket) mode 660 level admin") == true)

            // Writes on the admin socket: success is the empty line, errors are data.
            #expect(RuntimeAPIResponse.errorMessage(of: try await admin.send("set server ws_chat/s1 state drain")) == nil)
            #expect(try await admin.send("show stat").contains("ws_chat,s1,"))
            #expect(
                RuntimeAPIResponse.errorMessage(of: try await admin.send("set server ws_chat/nosuch state drain"))
                    == "No such server."
            )
            #expect(
                RuntimeAPIResponse.errorMessage(of: try await admin.send("set server nosuch/s1 state drain"))
                    == "No such backend."
            )
            #expect(
                RuntimeAPIResponse.errorMessage(of: try await admin.send("set server ws_chat state drain"))
                    == "Require 'backend/server'."
            )
            let batch = try await admin.send(batch: [
                "set server ws_chat/s1 state ready", "set server ws_chat/nosuch state ready",
            ])
            #expect(
                RuntimeAPIResponse.answers(ofBatch: batch).map(RuntimeAPIResponse.errorMessage(of:)) == [
                    nil, "No such server.",
                ]
            )
            let unknown = await #expect(throws: RuntimeAPIError.self) { try await admin.send("frobnicate") }
            #expect(unknown?.kind == .unknownCommand)

            // The stats page.
            let endpoint = try StatsPageEndpoint(parsing: "http://127.0.0.1:\(haproxy.statsPort)/stats")
            let page = try StatsPageClient(
                endpoint: endpoint,
                credentials: StatsPageCredentials(user: "admin", password: "pw")
            )
            #expect(try await page.fetchCSV().hasPrefix("# pxname,"))
            let wrong = try StatsPageClient(
                endpoint: endpoint,
                credentials: StatsPageCredentials(user: "admin", password: "no")
            )
            let refused = await #expect(throws: StatsPageError.self) { try await wrong.fetchCSV() }
            #expect(refused?.kind == .unauthorized)

            // kill -9: the socket file stays and refuses.
            await haproxy.process.kill()
            #expect(FileManager.default.fileExists(atPath: haproxy.adminSocket))
            let dead = await #expect(throws: RuntimeAPIError.self) { try await admin.send("show info") }
            #expect(dead?.kind == .connectionRefused)
            let deadPage = await #expect(throws: StatsPageError.self) { try await page.fetchCSV() }
            #expect(deadPage?.kind == .connectionRefused)
        }
    }

    @Test func masterCLI() async throws {
        try await Self.withHAProxy(masterWorker: true) { haproxy in
            let master = RuntimeAPIClient(endpoint: .unix(path: try #require(haproxy.masterSocket)))
            let processes = try await master.send("show proc")
            #expect(processes.contains("master"))
            #expect(processes.contains("worker"))
            #expect(try await master.send("@1 show info").contains("Pid:"))
        }
    }
}
