import Foundation
import HawsClient
import HawsCore
import HawsTestSupport
import Testing

/// The audit log `haws top` and `haws drain` share: one whole line per command, a private file, every field on
/// every line.
@Suite struct AuditLogTests {
    let record = AuditRecord(
        time: Date(timeIntervalSince1970: 1_764_648_000.25), user: "alice", instance: "demo", object: "ws_chat/s1",
        command: "set server ws_chat/s1 state drain", stateBefore: "UP", stateAfter: nil, result: "failed: x",
        origin: "operator")

    @Test func theAuditLogAppendsOneLinePerCommand() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("state/audit.log")  // `prepare()` creates the missing state directory
        let log = AuditLog(path: path)
        try log.prepare()
        try log.append([record, record])
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""state_after":null"#))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(AuditLog.defaultPath(environment: ["HOME": "/home/op"]) == "/home/op/.local/state/haws/audit.log")
        #expect(
            AuditLog.defaultPath(environment: ["HOME": "/home/op", "XDG_STATE_HOME": "/var/st"])
                == "/var/st/haws/audit.log")
    }

    @Test func aRecordIsOneJSONObjectWithEveryFieldTimeFirst() throws {
        let line = record.jsonLine()
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix(#"{"time":"2025-12-02T04:00:00.250Z","user":"alice""#), "\(line)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "time", "user", "instance", "object", "command", "state_before", "state_after", "result", "origin",
            ])
        #expect(object["state_before"] as? String == "UP")
        #expect(object["state_after"] is NSNull)
    }

    @Test func aFileThatCannotBeAppendedToIsAnErrorNotASilentLoss() {
        let log = AuditLog(path: "/proc/haws-audit-cannot-exist/audit.log")
        #expect(throws: AuditLogError.self) { try log.append([record]) }
    }
}
