import Foundation
import HawsDoctor
import HawsLab
import HawsTestSupport
import Testing

/// `haws doctor` as a user runs it: on the guide's config with the real `haproxy -c`, and on a live lab HAProxy
/// in master-worker mode, across a reload that leaves tunnels on an old worker.
@Suite(.serialized) struct DoctorAgainstHAProxyTests {
    /// The guide's setup (see the README), written to a temporary file.
    static let guide = """
        global
            log /dev/log local0
            maxconn 4000

        defaults
            mode http
            log global
            timeout connect 5000
            timeout client 50000
            timeout server 50000

        frontend http
            bind *:80
            stats enable
            stats uri /stats
            stats refresh 10s
            stats auth user:pass
            default_backend ws

        backend ws
            balance roundrobin
            option forwardfor
            option http-server-close
            server ws1 10.0.0.1:8080 check
            server ws2 10.0.0.2:8080 check

        """

    struct Document {
        let json: [String: Any]
        var findings: [[String: Any]] { json["findings"] as? [[String: Any]] ?? [] }
        var codes: [String] { findings.compactMap { $0["code"] as? String } }
        func first(_ code: String) -> [String: Any]? { findings.first { $0["code"] as? String == code } }
    }

    func document(_ output: Haws.Output) throws -> Document {
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        return Document(json: try #require(object as? [String: Any], "stdout: \(output.stdout) stderr: \(output.stderr)"))
    }

    func write(_ text: String, name: String = "haproxy.cfg") throws -> (directory: TemporaryDirectory, path: String) {
        let directory = try TemporaryDirectory()
        return (directory, try directory.write(name, text))
    }

    @Test func theGuideSetupIsCriticalWithLinesAndFixesAndValidJSON() async throws {
        let (directory, path) = try write(Self.guide)
        defer { directory.remove() }
        let output = try await Haws.run(["doctor", "-f", path, "--json"])
        #expect(output.code == 2, "stderr: \(output.stderr)")
        let problems = try await SchemaValidator.validate(output.stdout, schema: "Schemas/doctor.schema.json")
        #expect(problems == nil, "schema violations: \(problems ?? "")")
        let doc = try document(output)
        #expect(doc.json["verdict"] as? String == "critical")
        let check = try #require(doc.json["haproxy_check"] as? [String: Any])
        #expect(check["ran"] as? Bool == true && check["valid"] as? Bool == true, "\(check)")
        let tunnel = try #require(doc.first(DoctorCode.timeoutTunnelMissing))
        #expect(tunnel["line"] as? Int == 20 && tunnel["file"] as? String == path && tunnel["section"] as? String == "backend ws")
        #expect((tunnel["fix"] as? String)?.contains("timeout tunnel 1h") == true)
        #expect(doc.codes.first == DoctorCode.timeoutTunnelMissing, "worst first: \(doc.codes)")
        for code in [DoctorCode.hardStopAfterMissing, DoctorCode.checkNoUpgrade, DoctorCode.timeoutClientFinMissing,
                     DoctorCode.statsAllInterfaces, DoctorCode.balanceRoundRobin] {
            #expect(doc.codes.contains(code), "\(code) missing from \(doc.codes)")
        }

        let table = try await Haws.run(["doctor", "-f", path])
        #expect(table.code == 2)
        #expect(table.stdout.contains("CRITICAL  timeout-tunnel-missing  \(path):20  backend ws"), "\(table.stdout)")
        #expect(table.stdout.contains("fix: add `timeout tunnel 1h`"))
        #expect(table.stdout.contains("haws doctor: CRITICAL: 1 critical"))

        let explained = try await Haws.run(["doctor", "--explain", "timeout-tunnel-missing"])
        #expect(explained.code == 0 && explained.stdout.contains("supersedes both the client and server timeouts"))
        let unknownCode = try await Haws.run(["doctor", "--explain", "no-such-code"])
        #expect(unknownCode.code == 3 && unknownCode.stderr.contains("timeout-tunnel-missing"))
    }

    @Test func haproxyAlertsAreFoldedInAndUnreadableFilesAreUnknown() async throws {
        let broken = Self.guide.replacingOccurrences(of: "    option forwardfor", with: "    option forwardfor\n    no-such-keyword 1")
        let (directory, path) = try write(broken)
        defer { directory.remove() }
        let output = try await Haws.run(["doctor", "-f", directory.path, "--json"])  // a directory: its *.cfg files
        #expect(output.code == 2)
        let doc = try document(output)
        let alert = try #require(doc.first(DoctorCode.haproxyAlert), "\(doc.codes)")
        #expect(alert["line"] as? Int == 23 && alert["file"] as? String == path)
        #expect((alert["message"] as? String)?.contains("no-such-keyword") == true)
        #expect((doc.json["haproxy_check"] as? [String: Any])?["valid"] as? Bool == false)

        let missing = try await Haws.run(["doctor", "-f", directory.file("nope.cfg"), "--json"])
        #expect(missing.code == 3)
        #expect(try document(missing).codes == [DoctorCode.configUnreadable])
    }

    @Test func liveReloadLeavesTunnelsOnAnOldWorkerAndAnUpServerThatCannotUpgrade() async throws {
        var spec = LabSpec.chatAndRefusingFeed
        spec.masterWorker = true
        let lab = try await Lab.start(spec)
        do {
            try await lab.waitForStatus("ws_feed", "f1") { $0 == "UP" }
            let admin = try #require(lab.adminSocketPath)
            let master = try #require(lab.masterSocketPath)
            let arguments = ["doctor", "-f", lab.haproxy.configPath, "--socket", admin, "--master-socket", master, "--json"]

            let before = try document(try await Haws.run(arguments))
            #expect(!before.codes.contains(DoctorCode.oldWorkers))
            #expect(!before.codes.contains(DoctorCode.liveConfigMismatch), "the lab runs its file: \(before.findings)")

            let pool = lab.clients()
            _ = try await pool.open(count: 4, path: "/chat")
            try await lab.haproxy.reload()
            var output = Haws.Output(code: -1, stdout: "", stderr: "")
            let seen = try await eventually(timeout: .seconds(15)) {
                output = try await Haws.run(arguments)
                let message = try document(output).first(DoctorCode.oldWorkers)?["message"] as? String
                return message?.contains("holds 4 tunnels") == true
            }
            #expect(seen, "stdout: \(output.stdout.prefix(3000)) stderr: \(output.stderr)")
            #expect(output.code == 2)
            let problems = try await SchemaValidator.validate(output.stdout, schema: "Schemas/doctor.schema.json")
            #expect(problems == nil, "schema violations: \(problems ?? "")")
            let doc = try document(output)
            let old = try #require(doc.first(DoctorCode.oldWorkers))
            #expect(old["severity"] as? String == "warning")
            #expect((old["message"] as? String)?.contains("without hard-stop-after") == true)
            #expect(old["instance"] as? String != nil)
            let probes = doc.findings.filter { $0["code"] as? String == DoctorCode.probeFailedWhileUp }
            #expect(probes.contains { $0["severity"] as? String == "critical" && $0["proxy"] as? String == "ws_feed" }, "\(probes)")
            #expect(!probes.contains { $0["proxy"] as? String == "ws_chat" })
            #expect(doc.codes.contains(DoctorCode.hardStopAfterMissing))

            // haws status --doctor (and top's D) know old workers from the snapshot's counts, not from show proc.
            let status = try await Haws.run([
                "status", "--socket", admin, "--master-socket", master, "--doctor", "--doctor-config",
                lab.haproxy.configPath, "--json",
            ])
            let member = try #require(try document(status).json["doctor"] as? [String: Any], "\(status.stdout)")
            let counted = try #require(Document(json: member).first(DoctorCode.oldWorkers), "\(member)")
            #expect((counted["message"] as? String)?.contains("old workers still hold 4 tunnels after a reload") == true, "\(counted)")
            #expect(counted["severity"] as? String == "warning" && status.code >= 1)

            await pool.closeAll()
            let gone = try await eventually(timeout: .seconds(15)) {
                !(try document(try await Haws.run(arguments)).codes.contains(DoctorCode.oldWorkers))
            }
            #expect(gone, "the old worker exits once its last tunnel closes")
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func statusWithDoctorAddsTheFindingsAndTheirExitCode() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let admin = try #require(lab.adminSocketPath)
            let plain = try await Haws.run(["status", "--socket", admin])
            let output = try await Haws.run(["status", "--socket", admin, "--doctor", "--doctor-config", lab.haproxy.configPath])
            #expect(plain.code == 0, "\(plain.stdout)")
            #expect(output.code == 1, "\(output.stdout)")  // the lab has no hard-stop-after: WARNING
            #expect(plain.stdout.contains("HAWS OK"))
            #expect(output.stdout.contains("HAWS WARNING - "), "the doctor's verdict counts in the headline")
            #expect(output.stdout.contains("; doctor: "), "\(output.stdout)")
            #expect(output.stdout.contains("WARNING  hard-stop-after-missing  \(lab.haproxy.configPath):"), "\(output.stdout)")
            #expect(!output.stdout.contains("timeout-tunnel-missing"))  // the lab sets timeout tunnel 1h

            let json = try await Haws.run(["status", "--socket", admin, "--doctor", "--doctor-config", lab.haproxy.configPath, "--json"])
            #expect(json.code == 1, "\(json.stdout) \(json.stderr)")
            let problems = try await SchemaValidator.validate(json.stdout, schema: "Schemas/status.schema.json")
            #expect(problems == nil, "schema violations: \(problems ?? "")")
            let status = try document(json).json
            #expect(status["verdict"] as? String == "warning" && status["exit_code"] as? Int == 1)
            let member = try #require(status["doctor"] as? [String: Any], "\(json.stdout)")
            #expect(member["verdict"] as? String == "warning")
            #expect(member["files"] as? [String] == [lab.haproxy.configPath])
            let doctor = Document(json: member)
            let hardStop = try #require(doctor.first(DoctorCode.hardStopAfterMissing))
            #expect(hardStop["file"] as? String == lab.haproxy.configPath && hardStop["line"] as? Int != nil)
            #expect(!doctor.codes.contains(DoctorCode.timeoutTunnelMissing))
            // The same findings as the table, in the shape of haws doctor --json.
            let fromDoctor = try document(try await Haws.run(["doctor", "-f", lab.haproxy.configPath, "--no-haproxy-check", "--json"]))
            #expect(Set(doctor.codes).isSuperset(of: Set(fromDoctor.codes).subtracting([DoctorCode.haproxyCheckSkipped])))

            let without = try await Haws.run(["status", "--socket", admin, "--json"])
            #expect(without.code == 0)
            #expect(try document(without).json["doctor"] is NSNull, "\(without.stdout)")
            let unreadable = try await Haws.run(["status", "--socket", admin, "--doctor", "--doctor-config", "/nonexistent/haproxy.cfg", "--json"])
            #expect(unreadable.code == 3, "an unreadable config is UNKNOWN, as in haws doctor")
            #expect(Document(json: try #require(try document(unreadable).json["doctor"] as? [String: Any])).codes.contains(DoctorCode.configUnreadable))
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func anUnreachableInstanceIsUnknown() async throws {
        let (directory, path) = try write("global\n    hard-stop-after 30m\n")
        defer { directory.remove() }
        let output = try await Haws.run([
            "doctor", "-f", path, "--socket", directory.file("dead.sock"), "--json", "--no-probe", "--no-haproxy-check",
        ])
        #expect(output.code == 3, "\(output.stdout)")
        #expect(try document(output).codes.contains(DoctorCode.instanceUnreachable))
        #expect(try document(output).codes.contains(DoctorCode.haproxyCheckSkipped))
    }
}
