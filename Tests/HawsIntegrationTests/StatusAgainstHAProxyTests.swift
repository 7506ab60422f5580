import Foundation
import HawsClient
import HawsCore
import HawsLab
import HawsTestSupport
import Testing

/// `haws status` and the instance reader against a real HAProxy 2.6 started on loopback.
///
/// Serialized: each test starts its own HAProxy, backends and clients; on 2 cores, running them one at
/// a time keeps health-check timings honest.
@Suite(.serialized) struct StatusAgainstHAProxyTests {
    static let chat = "ws_chat"

    func read(_ lab: Lab, socket: String) async throws -> InstanceSnapshot {
        let spec = try InstanceSpec.fromFlags(socket: socket)
        guard case .read(let snapshot) = await InstanceReader(spec: spec).read() else {
            throw LabTestError("could not read \(socket)")
        }
        return snapshot
    }

    /// Per-backend (counters) and per-server (`show sess all`) tunnels, and what the backends hold.
    func tunnels(_ lab: Lab) async throws -> (backend: Int?, servers: [String: Int], held: [String: Int]) {
        let snapshot = try await read(lab, socket: try #require(lab.adminSocketPath))
        let backend = try #require(snapshot.backends.first { $0.name == Self.chat })
        var servers: [String: Int] = [:]
        var held: [String: Int] = [:]
        for server in backend.servers {
            servers[server.name] = snapshot.tunnels(of: server)?.count
            held[server.name] = lab.server(Self.chat, server.name)?.openWebSockets ?? -1
        }
        return (snapshot.tunnels(of: backend), servers, held)
    }

    @Test func tunnelCountsFollowRealClients() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 25, path: "/chat")
            for expected in [25, 10, 0] {
                if expected == 10 { _ = await pool.close(count: 15) }
                if expected == 0 { await pool.closeAll() }
                var last: (backend: Int?, servers: [String: Int], held: [String: Int]) = (nil, [:], [:])
                let matched = try await eventually {
                    last = try await tunnels(lab)
                    return last.backend == expected && last.servers.values.reduce(0, +) == expected
                        && last.servers == last.held
                }
                #expect(matched, "expected \(expected) tunnels, read \(last)")
                #expect(lab.openWebSockets(backend: Self.chat) == expected)
            }
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func statusJSONValidatesAndCountsTunnels() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 12, path: "/chat")
            let socket = try #require(lab.adminSocketPath)
            var output = Haws.Output(code: -1, stdout: "", stderr: "")
            let counted = try await eventually {
                output = try await Haws.run(["status", "--socket", socket, "--json"])
                guard let report = try? StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8)),
                    let chat = report.backends.first(where: { $0.name == Self.chat })
                else { return false }
                // Right after start, checks may still be initialising: wait for the first round.
                return chat.tunnels == 12 && chat.servers.allSatisfy { $0.checkStatus?.hasSuffix("L7OK") == true }
            }
            #expect(counted, "stdout: \(output.stdout.prefix(400)) stderr: \(output.stderr)")
            #expect(output.code == 0)
            let problems = try await SchemaValidator.validate(output.stdout, schema: "Schemas/status.schema.json")
            #expect(problems == nil, "schema violations: \(problems ?? "")")
            let report = try StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
            #expect(report.verdict == .ok)
            let chat = try #require(report.backends.first { $0.name == Self.chat })
            #expect(chat.servers.map(\.name) == ["s1", "s2", "s3"])
            #expect(chat.servers.compactMap(\.tunnels).reduce(0, +) == 12)
            #expect(chat.servers.allSatisfy { $0.status == "UP" && $0.adminState == .ready && $0.operState == .up }, "\(chat.servers)")
            #expect(chat.servers.allSatisfy { $0.address?.hasPrefix("127.0.0.1:") == true }, "\(chat.servers)")
            // The version of the binary the lab runs (Debian's 2.6.12, or 3.0.11 under HAWS_HAPROXY).
            let running = try await HAProxyExecutable.version(of: HAProxyExecutable.resolve())
            #expect(report.instances.first?.version == running)

            let table = try await Haws.run(["status", "--socket", socket])
            #expect(table.code == 0)
            #expect(table.stdout.contains("ws_chat"))
            #expect(table.stdout.contains("HAWS OK"))
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func killedServerGoesDownAndDrainShowsDrain() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let socket = try #require(lab.adminSocketPath)
            _ = try await lab.runtime("set server ws_chat/s1 state drain")
            await lab.server(Self.chat, "s3")?.stop()
            var output = Haws.Output(code: -1, stdout: "", stderr: "")
            let down = try await eventually(timeout: .seconds(15)) {
                output = try await Haws.run(["status", "--socket", socket, "--json"])
                return output.stdout.contains("\"status\":\"DOWN\"")
            }
            #expect(down, "s3 never went DOWN: \(output.stdout.prefix(600))")
            #expect(output.code == 1)  // a DOWN server is WARNING by default
            let report = try StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
            let chat = try #require(report.backends.first { $0.name == Self.chat })
            #expect(chat.servers[0].status == "DRAIN")
            #expect(chat.servers[0].adminState == .drain)
            #expect(chat.servers[2].operState == .down)
            #expect(report.problems.contains { $0.hasPrefix("WARNING ws_chat/s3: DOWN") })
            #expect(report.problems.contains("OK ws_chat/s1: DRAIN"))

            let strict = try await Haws.run(["status", "--socket", socket, "--drain", "critical"])
            #expect(strict.code == 2)
            let lenient = try await Haws.run(["status", "--socket", socket, "--down", "ok"])
            #expect(lenient.code == 0)
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func userLevelSocketSaysPerServerNeedsOperator() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 5, path: "/chat")
            let socket = try #require(lab.userSocketPath)
            var report: StatusReport?
            let counted = try await eventually {
                let output = try await Haws.run(["status", "--socket", socket, "--json"])
                report = try? StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
                return report?.backends.first { $0.name == Self.chat }?.tunnels == 5
            }
            #expect(counted)
            // Per-server counts come from the counters at any level; only the dump (ages) needs operator.
            #expect(report?.instances.first?.tunnelDetail != "per-backend")
            #expect(report?.instances.first?.tunnelDetailNote?.contains("need an operator or admin socket") == true)
            #expect(report?.backends.first { $0.name == Self.chat }?.servers.allSatisfy { $0.tunnels != nil } == true)
            // `addr` is hidden at level user: the address comes from `show servers state`.
            #expect(report?.backends.first { $0.name == Self.chat }?.servers.first?.address?.hasPrefix("127.0.0.1:") == true)
            let table = try await Haws.run(["status", "--socket", socket])
            #expect(table.stdout.contains("need an operator or admin socket"))
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func deadHAProxyIsUnknownWithOneLine() async throws {
        let lab = try await Lab.start(.demo)
        let socket = try #require(lab.adminSocketPath)
        await lab.haproxy.kill()
        let output = try await Haws.run(["status", "--socket", socket])
        await lab.shutdown()
        #expect(output.code == 3)
        let errorLines = output.stderr.split(separator: "\n")
        #expect(errorLines.count == 1, "stderr: \(output.stderr)")
        #expect(output.stderr.contains("refused"))
        #expect(output.stdout.split(separator: "\n").count == 1)
        #expect(output.stdout.hasPrefix("HAWS UNKNOWN"))

        let missing = try await Haws.run(["status", "--socket", "/nonexistent/haproxy.sock", "--json"])
        #expect(missing.code == 3)
        #expect(missing.stdout.contains("\"verdict\":\"unknown\""))
        let bad = try await Haws.run(["status", "--down", "sometimes"])
        #expect(bad.code == 3)
        #expect(bad.stderr.split(separator: "\n").count >= 1)
    }

    @Test func seedStyleConfigThroughTheStatsPageAlone() async throws {
        var spec = LabSpec.demo
        spec.socketLevels = []
        let lab = try await Lab.start(spec)
        do {
            let url = try #require(lab.statsURL)
            let credentials = try #require(lab.statsCredentials)
            let pool = lab.clients()
            _ = try await pool.open(count: 7, path: "/chat")
            let withUser = url.replacingOccurrences(of: "http://", with: "http://\(credentials.user)@")
            var output = Haws.Output(code: -1, stdout: "", stderr: "")
            let counted = try await eventually {
                output = try await Haws.run(["status", "--stats-url", withUser, "--json"], environment: ["HAWS_STATS_PASSWORD": credentials.password])
                let report = try? StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
                return report?.backends.first { $0.name == Self.chat }?.tunnels == 7
            }
            #expect(counted, "\(output.stdout.prefix(300)) \(output.stderr)")
            #expect(output.code == 0)

            let passwordFile = lab.directory.file("stats.pass")
            try (credentials.password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
            let fromFile = try await Haws.run(["status", "--stats-url", url, "--stats-user", credentials.user, "--stats-password-file", passwordFile])
            #expect(fromFile.code == 0, "\(fromFile.stdout) \(fromFile.stderr)")

            let wrong = try await Haws.run(["status", "--stats-url", withUser], environment: ["HAWS_STATS_PASSWORD": "nope"])
            #expect(wrong.code == 3)
            #expect(wrong.stderr.contains("401") || wrong.stderr.lowercased().contains("credentials"))
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }
}

extension StatusAgainstHAProxyTests {
    @Test func masterSocketAloneAndTCPSocketAndConfigFile() async throws {
        var spec = LabSpec.demo
        spec.masterWorker = true
        spec.tcpStatsSocket = true
        let lab = try await Lab.start(spec)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 4, path: "/chat")
            let master = try #require(lab.masterSocketPath)
            let tcpPort = try #require(lab.tcpStatsPort)
            let admin = try #require(lab.adminSocketPath)
            for arguments in [["--master-socket", master], ["--socket", "tcp://127.0.0.1:\(tcpPort)"], ["--socket", admin, "--master-socket", master]] {
                var report: StatusReport?
                let counted = try await eventually {
                    let output = try await Haws.run(["status", "--json"] + arguments)
                    report = try? StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
                    return report?.backends.first { $0.name == Self.chat }?.tunnels == 4
                }
                #expect(counted, "\(arguments): \(String(describing: report?.problems))")
                #expect(report?.instances.first?.tunnelDetail == "per-server", "\(arguments)")
            }

            let config = lab.directory.file("haws.toml")
            let credentials = try #require(lab.statsCredentials)
            let passwordFile = lab.directory.file("stats.pass")
            try credentials.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
            try """
                [[instance]]
                name = "edge-1"
                socket = "\(admin)"
                master_socket = "\(master)"

                [[instance]]
                name = "edge-2"
                stats_url = "\(try #require(lab.statsURL))"
                stats_user = "\(credentials.user)"
                stats_password_file = "\(passwordFile)"

                """.write(toFile: config, atomically: true, encoding: .utf8)
            let output = try await Haws.run(["status", "--config", config, "--json"])
            let report = try StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
            #expect(report.instances.map(\.name) == ["edge-1", "edge-2"])
            #expect(report.instances.allSatisfy { $0.reachable }, "\(report.instances)")
            #expect(report.backends.filter { $0.name == Self.chat }.map(\.tunnels) == [4, 4])
            #expect(output.code == 0)
            let table = try await Haws.run(["status", "--config", config])
            #expect(table.stdout.contains("edge-1") && table.stdout.contains("edge-2"))
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func demoStartsTheLabAndStopsEverything() async throws {
        let output = try await Haws.run(["demo", "--duration", "4s", "--interval", "500ms"])
        #expect(output.code == 0, "\(output.stderr)")
        #expect(output.stdout.contains("haws demo: HAProxy pid"))
        #expect(output.stdout.contains("ws_chat"))
        #expect(output.stdout.contains("haws demo: stopped the lab"))
        let pid = output.stdout.split(separator: "\n").first { $0.hasPrefix("haws demo: HAProxy pid") }
            .flatMap { $0.split(separator: " ").dropFirst(4).first }.flatMap { Int32($0) }
        let haproxyPid = try #require(pid)
        #expect(kill(haproxyPid, 0) != 0, "HAProxy \(haproxyPid) still runs after the demo stopped")
    }
}

struct LabTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
