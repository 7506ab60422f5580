import Foundation
import HawsTestSupport
import Subprocess
import Testing

/// `haws status` against sockets that misbehave: garbage answers and a HAProxy that never answers.
///
/// The fake is a small Python Unix-socket server (Python 3 is on every Debian), so the test needs no
/// HAProxy and the misbehaviour is exact.
@Suite(.serialized) struct HostileSocketTests {
    /// Runs `body` with a Unix socket whose server answers every connection with `reply`, or never
    /// answers when `reply` is nil.
    func withFakeSocket(reply: String?, _ body: (String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("fake.sock")
        let script = """
            import os, socket, sys, threading, time
            path, reply = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(64)
            held = []
            deadline = time.time() + 60
            s.settimeout(1)
            while time.time() < deadline:
                try: c, _ = s.accept()
                except socket.timeout: continue
                if reply == "<hang>": held.append(c); continue
                c.recv(4096); c.sendall(reply.encode()); c.close()
            """
        _ = try await Subprocess.run(
            .name("python3"), arguments: ["-c", script, path, reply ?? "<hang>"], input: .none, output: .discarded,
            error: .discarded
        ) { execution in
            let ready = await eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: path) }
            #expect(ready)
            do {
                try await body(path)
            } catch {
                try? execution.send(signal: .kill)
                throw error
            }
            try? execution.send(signal: .kill)
        }
    }

    @Test func garbageAnswerIsUnknownWithOneLine() async throws {
        // Ended by an empty line, as HAProxy ends every answer: what is refused is the content.
        try await withFakeSocket(reply: "<html>this is not HAProxy</html>\n\n") { path in
            let output = try await Haws.run(["status", "--socket", path])
            #expect(output.code == 3)
            #expect(output.stderr.split(separator: "\n").count == 1, "\(output.stderr)")
            #expect(output.stderr.contains("not a HAProxy stats CSV"))
            let json = try await Haws.run(["status", "--socket", path, "--json"])
            #expect(json.code == 3)
            #expect(json.stdout.contains("\"verdict\":\"unknown\""))
        }
    }

    @Test func hungHAProxyTimesOutWithinTheDeadline() async throws {
        try await withFakeSocket(reply: nil) { path in
            let clock = ContinuousClock()
            let started = clock.now
            let output = try await Haws.run(["status", "--socket", path, "--timeout", "1s"])
            let elapsed = clock.now - started
            #expect(output.code == 3)
            #expect(output.stderr.contains("did not answer"), "\(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1)
            #expect(elapsed < .seconds(4), "took \(elapsed)")
        }
    }
}
