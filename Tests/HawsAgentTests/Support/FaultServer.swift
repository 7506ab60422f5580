import Foundation
import HawsTestSupport
import Subprocess

/// A misbehaving stand-in for HAProxy, as a Python process, so that the fault is exact: a runtime socket or a stats
/// page that answers well until the test creates `arm` in its directory, then misbehaves as `mode` says.
///
/// - `cut`: `show stat` is cut mid-row and the connection closed (FIN), as when HAProxy dies mid-answer.
/// - `garbage`: `show stat` streams garbage (up to 1 GB) until the reader stops; the bytes sent go to `sent`.
/// - `sess-garbage`: the same for `show sess all`.
/// - `relay`: a Unix socket relaying to a real HAProxy's socket (`upstream`); once armed, the relay SIGKILLs
///   HAProxy (pid in `arm`) after 32 kB of a `show stat` answer have passed, then relays what is left.
/// - `http-truncated`: a stats page on 127.0.0.1 (port in `port`) whose armed answer ends after its first
///   complete chunk, without the last chunk.
/// Complete answers are `info.txt` and `stat.csv` of the directory, ending with the empty line HAProxy writes.
enum FaultServer {
    static let script = #"""
        import os, signal, socket, sys, threading, time
        mode, directory = sys.argv[1], sys.argv[2]
        upstream = sys.argv[3] if len(sys.argv) > 3 else None
        path = lambda name: os.path.join(directory, name)
        armed = lambda: os.path.exists(path("arm"))
        read = lambda name: open(path(name), "rb").read() if os.path.exists(path(name)) else b""
        info, stat = read("info.txt"), read("stat.csv")

        def line(c, end=b"\n"):
            data = b""
            while not data.endswith(end):
                chunk = c.recv(4096)
                if not chunk: break
                data += chunk
            return data.decode(errors="replace").strip()

        def stream_garbage(c):
            sent, block = 0, b"garbage, not HAProxy " * 3000
            try:
                while sent < (1 << 30):
                    c.sendall(block); sent += len(block)
            except OSError:
                pass
            open(path("sent.tmp"), "w").write(str(sent)); os.rename(path("sent.tmp"), path("sent"))

        def runtime(c):
            command = line(c)
            if command == "show info":
                c.sendall(info)
            elif command.startswith("show stat"):
                if armed() and mode == "cut":
                    row = stat.index(b"\n", len(stat) // 2)
                    c.sendall(stat[:row - 5])
                elif armed() and mode == "garbage":
                    stream_garbage(c)
                else:
                    c.sendall(stat)
            elif command == "show sess all":
                if armed() and mode == "sess-garbage":
                    stream_garbage(c)
                else:
                    c.sendall(b"\n")
            else:
                c.sendall(b"Unknown command, but this is a test.\n\n")

        def relay(c):
            command = line(c)
            u = socket.socket(socket.AF_UNIX); u.connect(upstream)
            u.sendall((command + "\n").encode()); u.shutdown(socket.SHUT_WR)
            kill = armed() and command == "show stat"
            passed = 0
            while True:
                try: chunk = u.recv(16384)
                except OSError: break
                if not chunk: break
                c.sendall(chunk); passed += len(chunk)
                if kill and passed >= 32768:
                    os.kill(int(read("arm")), signal.SIGKILL); kill = False
                    open(path("killed"), "w").write(str(passed))
            u.close()

        def http(c):
            line(c, b"\r\n\r\n")
            body = stat[:-1]
            half = body.index(b"\n", len(body) // 2) + 1
            first, rest = body[:half], body[half:]
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            c.sendall(b"%x\r\n%s\r\n" % (len(first), first))
            if not armed():
                c.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(rest), rest))

        def serve(c, handler):
            try: handler(c)
            except OSError: pass
            finally: c.close()

        if mode.startswith("http"):
            s = socket.socket(); s.bind(("127.0.0.1", 0)); handler = http
            open(path("port"), "w").write(str(s.getsockname()[1]))
        else:
            s = socket.socket(socket.AF_UNIX); s.bind(path("fake.sock"))
            handler = relay if mode == "relay" else runtime
        s.listen(64); s.settimeout(1)
        deadline = time.time() + 120
        while time.time() < deadline:
            try: c, _ = s.accept()
            except socket.timeout: continue
            threading.Thread(target=serve, args=(c, handler), daemon=True).start()
        """#

    /// Runs the server in `directory` until `body` returns; `ready` names the file that says it listens.
    static func run(
        _ mode: String, in directory: TemporaryDirectory, upstream: String? = nil,
        _ body: () async throws -> Void
    ) async throws {
        let ready = directory.file(mode.hasPrefix("http") ? "port" : "fake.sock")
        var arguments = ["-c", script, mode, directory.path]
        if let upstream { arguments.append(upstream) }
        _ = try await Subprocess.run(
            .name("python3"), arguments: Arguments(arguments), input: .none, output: .discarded, error: .discarded
        ) { execution in
            _ = await eventually(interval: .milliseconds(20)) { FileManager.default.fileExists(atPath: ready) }
            do {
                try await body()
            } catch {
                try? execution.send(signal: .kill)
                throw error
            }
            try? execution.send(signal: .kill)
        }
    }

    /// Makes the server misbehave from its next connection on (`content`: the HAProxy pid, for `relay`).
    static func arm(_ directory: TemporaryDirectory, content: String = "") throws {
        try content.write(toFile: directory.file("arm"), atomically: true, encoding: .utf8)
    }

    /// Waits up to 10 s (``TestDeadline/scaled(_:)``) for a file the server writes, and returns its content.
    static func waitForFile(_ path: String) async -> String? {
        var text: String?
        _ = await eventually(interval: .milliseconds(20)) {
            text = try? String(contentsOfFile: path, encoding: .utf8)
            return text != nil
        }
        return text
    }
}
