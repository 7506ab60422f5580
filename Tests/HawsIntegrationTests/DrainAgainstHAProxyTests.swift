import Foundation
import HawsLab
import HawsTestSupport
import Subprocess
import Testing

/// `haws drain` against a real HAProxy: the headless drain-to-zero workflow for deploy scripts.
@Suite(.serialized) struct DrainAgainstHAProxyTests {
    @Test func drainWaitsForZeroThenMaint() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let socket = try #require(lab.adminSocketPath)
            let audit = lab.directory.file("audit.log")
            let pool = lab.clients()
            _ = try await pool.open(count: 9, path: "/chat")
            let onS1 = await eventually { (lab.server("ws_chat", "s1")?.openWebSockets ?? 0) > 0 }
            #expect(onS1)
            // Clients leave while the drain waits (its DRAIN is in the audit log, sent); a deploy script would be
            // waiting on the exit code.
            let closer = Task {
                _ = await eventually(timeout: .seconds(20)) {
                    ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").contains("state drain")
                }
                await pool.closeAll()
            }
            let output = try await Haws.run([
                "drain", "ws_chat/s1", "--socket", socket, "--wait", "--then", "maint", "--timeout-wait", "30s",
                "--interval", "300ms", "--audit-log", audit,
            ])
            await closer.value
            #expect(output.code == 0, "\(output.stdout)\n\(output.stderr)")
            #expect(output.stdout.contains("DRAIN set"))
            #expect(output.stdout.contains("MAINT set"))
            #expect(output.stdout.contains("ws_chat/s1: drained"))
            let status = try await lab.waitForStatus("ws_chat", "s1") { $0.hasPrefix("MAINT") }
            #expect(status.hasPrefix("MAINT"))
            let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 2, "\(lines)")
            #expect(lines.first?.contains("set server ws_chat/s1 state drain") == true)
            #expect(lines.last?.contains("set server ws_chat/s1 state maint") == true)
            #expect(lines.allSatisfy { $0.contains("\"took effect\"") })
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }

    @Test func drainTimesOutWithExitTwoAndRefusesBadNames() async throws {
        let lab = try await Lab.start(.demo)
        do {
            let socket = try #require(lab.adminSocketPath)
            let audit = lab.directory.file("audit.log")
            let pool = lab.clients()
            _ = try await pool.open(count: 6, path: "/chat")
            let timedOut = try await Haws.run([
                "drain", "ws_chat/s2", "--socket", socket, "--wait", "--timeout-wait", "1s", "--interval", "200ms",
                "--audit-log", audit,
            ])
            #expect(timedOut.code == 2, "\(timedOut.stdout)\n\(timedOut.stderr)")
            #expect(timedOut.stderr.contains("tunnels left"))
            #expect(try await lab.waitForStatus("ws_chat", "s2") { $0 == "DRAIN" } == "DRAIN")

            let hostile = try await Haws.run(["drain", "ws_chat/s1;shutdown sessions server ws_chat/s2", "--socket", socket, "--audit-log", audit])
            #expect(hostile.code == 3)
            #expect(hostile.stderr.contains("refusing name"))
            let missing = try await Haws.run(["drain", "ws_chat/nosuch", "--socket", socket, "--audit-log", audit])
            #expect(missing.code == 3)
            #expect(missing.stderr.contains("no instance has a server ws_chat/nosuch"))
            let user = try await Haws.run(["drain", "ws_chat/s3", "--socket", try #require(lab.userSocketPath), "--audit-log", audit])
            #expect(user.code == 3)
            #expect(user.stderr.contains("Permission denied") || user.stderr.contains("level"), "\(user.stderr)")
            await pool.closeAll()
        } catch {
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
    }
}
