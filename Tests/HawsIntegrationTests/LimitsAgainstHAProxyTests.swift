import Foundation
import HawsCore
import HawsLab
import HawsTestSupport
import Testing

/// Which HAProxy numbers `haws status` compares sessions against, checked on a real HAProxy 2.6: a backend's
/// `slim` is its `fullconn` (10% of its frontends' maxconn by default), never a limit; a frontend's is its maxconn.
@Suite(.serialized) struct LimitsAgainstHAProxyTests {
    /// Runs `haws status --json` until the chat backend holds `tunnels` and every check has run.
    func status(_ lab: Lab, tunnels: Int) async throws -> (Haws.Output, StatusReport) {
        let socket = try #require(lab.adminSocketPath)
        var output = Haws.Output(code: -1, stdout: "", stderr: "")
        var report: StatusReport?
        let counted = try await eventually(timeout: .seconds(15)) {
            output = try await Haws.run(["status", "--socket", socket, "--json"])
            report = try? StatusReport.decoder().decode(StatusReport.self, from: Data(output.stdout.utf8))
            guard let chat = report?.backends.first(where: { $0.name == "ws_chat" }) else { return false }
            return chat.tunnels == tunnels && chat.servers.allSatisfy { $0.checkStatus?.hasSuffix("L7OK") == true }
        }
        #expect(counted, "stdout: \(output.stdout.prefix(400)) stderr: \(output.stderr)")
        return (output, try #require(report))
    }

    /// The case: global maxconn 200 gives the backend a fullconn of 20; 25 tunnels on it are healthy.
    @Test func backendPastItsFullconnIsOK() async throws {
        var spec = LabSpec.demo
        spec.maxconn = 200
        let lab = try await Lab.start(spec)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 25, path: "/chat")
            let (output, report) = try await status(lab, tunnels: 25)
            let chat = try #require(report.backends.first { $0.name == "ws_chat" })
            #expect(chat.sessionLimit == 20, "HAProxy's fullconn default: 10% of the frontend's maxconn")
            #expect(chat.sessions >= 25)
            #expect(report.verdict == .ok, "\(report.problems)")
            #expect(output.code == 0)
            #expect(!report.problems.contains { $0.contains("backend at") }, "\(report.problems)")
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    /// A frontend's `slim` is its maxconn (here inherited from global maxconn 28): 25 tunnels is 89% of it, a real
    /// WARNING (HAProxy stops accepting at 28), and still no backend finding.
    @Test func frontendNearItsMaxconnIsAFinding() async throws {
        var spec = LabSpec.demo
        spec.maxconn = 28
        let lab = try await Lab.start(spec)
        do {
            let pool = lab.clients()
            _ = try await pool.open(count: 25, path: "/chat")
            let (output, report) = try await status(lab, tunnels: 25)
            let frontend = try #require(report.frontends.first { $0.name == lab.spec.frontendName })
            #expect(frontend.sessionLimit == 28)
            #expect(report.problems.contains { $0.contains("\(lab.spec.frontendName): frontend at 25 of 28 sessions") },
                "\(report.problems)")
            #expect(report.verdict == .warning || report.verdict == .critical)
            #expect(output.code == Int32(report.exitCode))
            #expect(!report.problems.contains { $0.contains("backend at") }, "\(report.problems)")
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }
}
