import Foundation
import HawsCore
import Testing
@testable import HawsClient
import HawsTestSupport

/// An old worker whose `show sess all` fails must not make the old-worker tunnel count look complete.
@Suite struct OldWorkerPartialTests {
    static let procList = """
        #<PID>          <type>          <reloads>       <uptime>        <version>
        1162            master          2 [failed: 0]   0d00h02m07s     2.6.12-1+deb12u4
        # workers
        1271            worker          0               0d00h00m00s     2.6.12-1+deb12u4
        # old workers
        1233            worker          [was: 1]        0d00h00m43s     2.6.12-1+deb12u4
        1234            worker          [was: 2]        0d00h01m43s     2.6.12-1+deb12u4
        # programs


        """

    @Test func anUnreadOldWorkerMakesTheCountPartial() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let worker = try await FakeRuntimeServer.unix(path: directory.file("admin.sock"), behaviour: .answer { _ in "\n" })
        let master = try await FakeRuntimeServer.unix(
            path: directory.file("master.sock"),
            behaviour: .answer { command in
                switch command {
                case "show proc": return Self.procList
                case "@!1233 show sess all": return "\n"
                default: return "Unknown command, but maybe one of the following ones is a better match:\n\n"
                }
            })
        let spec = try InstanceSpec.fromFlags(socket: directory.file("admin.sock"), masterSocket: directory.file("master.sock"))
        let reading = await InstanceReader(spec: spec, timeout: .seconds(2)).readTunnels()
        guard case .counted(_, let old, let unread, _)? = reading else {
            Issue.record("expected counted tunnels, got \(String(describing: reading))")
            return
        }
        #expect(old != nil)
        #expect(unread.count == 1, "\(unread)")
        #expect(unread.first?.hasPrefix("old worker 1234:") == true, "\(unread)")
        #expect(master.commands.contains("@!1233 show sess all"))

        // And every consumer says so: status's entry, note and table line.
        var snapshot = InstanceSnapshot(instance: "edge", stats: try StatsCSVParser.parse("# pxname,svname,type,status\n"))
        snapshot.oldWorkerTunnels = old
        snapshot.oldWorkersUnread = unread
        let report = StatusEvaluator.evaluate([.read(snapshot)], policy: StatusPolicy())
        #expect(report.instances.first?.oldWorkerTunnelsPartial == true)
        #expect(report.problems.contains { $0.contains("old-worker tunnel count is partial") && $0.contains("1234") })
        #expect(StatusTableRenderer(color: false).render(report).contains("partial"))
        #expect(report.json().contains("\"old_worker_tunnels_partial\":true"))
        await worker.close()
        await master.close()
    }

    @Test func everyOldWorkerReadIsComplete() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let worker = try await FakeRuntimeServer.unix(path: directory.file("admin.sock"), behaviour: .answer { _ in "\n" })
        let master = try await FakeRuntimeServer.unix(
            path: directory.file("master.sock"),
            behaviour: .answer { command in command == "show proc" ? Self.procList : "\n" })
        let spec = try InstanceSpec.fromFlags(socket: directory.file("admin.sock"), masterSocket: directory.file("master.sock"))
        guard case .counted(_, let old, let unread, _)? = await InstanceReader(spec: spec, timeout: .seconds(2)).readTunnels()
        else {
            Issue.record("expected counted tunnels")
            return
        }
        #expect(old != nil)
        #expect(unread.isEmpty)
        await worker.close()
        await master.close()
    }
}
