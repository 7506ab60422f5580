import Foundation
import HawsCore
import HawsMonitor
import HawsTestSupport
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import HawsAgent

@Suite struct AgentTests {
    /// A source whose every poll hangs (until cancelled), like a socket that accepts and never answers.
    static let hung = InstanceSource(
        name: "hung",
        readStats: {
            try? await Task.sleep(for: .seconds(60))
            return .unreachable(instance: "hung", error: "cancelled")
        }, readTunnels: nil)

    @Test func linesAndMetricsFromTheSamePollsAndAHungInstanceDelaysNobody() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = ScriptedSource(
            [
                .stats(info: Fixture.info(), csv: Fixture.csv(scale: 1)),
                .stats(info: Fixture.info(), csv: Fixture.csv(scale: 2)),
            ],
            tunnels: Fixture.tunnels)
        var settings = AgentSettings()
        settings.fullSnapshotInterval = .zero  // a full snapshot and every probe line, every poll
        settings.statsInterval = .milliseconds(50)
        settings.sessionsInterval = .milliseconds(50)
        settings.ndjson = .file(directory.file("agent.ndjson"))
        settings.prometheus = ListenAddress(host: "127.0.0.1", port: 0)
        let reports = NIOLockedValueBox<[String]>([])
        let agent = Agent(settings: settings, sources: [script.source("edge-1"), Self.hung]) { message in
            reports.withLockedValue { $0.append(message) }
        }
        let server = try #require(try await agent.startMetricsServer())
        #expect(server.address.port > 0)
        let running = Task { await agent.run(metricsServer: server) }
        let path = directory.file("agent.ndjson")
        func snapshotLines() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return ((try? parseLines(text)) ?? []).filter { $0["type"] as? String == "snapshot" }
        }
        _ = await eventually(interval: .milliseconds(20)) { snapshotLines().count >= 8 }

        let answer = try await Python.fetch("http://127.0.0.1:\(server.address.port)/metrics")
        #expect(answer.status == 200)
        #expect(answer.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let metrics = try await Python.parseExposition(answer.body)
        #expect(metrics[#"haws_instance_up{instance="edge-1"}"#] == 1)
        #expect(metrics[#"haws_instance_up{instance="hung"}"#] == 0)
        #expect(metrics[#"haws_server_tunnels{backend="ws_chat",instance="edge-1",server="s1"}"#] == 8)
        #expect((metrics[#"haws_poll_duration_seconds_count{instance="edge-1",poll="stats"}"#] ?? 0) >= 5)
        #expect(try await Python.fetch("http://127.0.0.1:\(server.address.port)/nope").status == 404)
        #expect(try await Python.fetch("http://127.0.0.1:\(server.address.port)/metrics", method: "POST").status == 405)
        let head = try await Python.fetch("http://127.0.0.1:\(server.address.port)/metrics", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)

        agent.stop()
        await running.value
        let text = try String(contentsOfFile: directory.file("agent.ndjson"), encoding: .utf8)
        let lines = try parseLines(text)
        let snapshots = lines.filter { $0["type"] as? String == "snapshot" }
        #expect(
            snapshots.allSatisfy { $0["instance"] as? String == "edge-1" }, "the hung instance never finished a poll")
        #expect(snapshots.count >= 8, "\(snapshots.count) lines of the good instance")
        #expect(snapshots.last?["tunnels"] as? Int == 10)
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
        #expect(reports.withLockedValue { $0 }.isEmpty)
        // Stopped: the metrics server is closed too.
        await #expect(throws: (any Error).self) {
            _ = try await Python.fetch("http://127.0.0.1:\(server.address.port)/metrics")
        }
    }

    @Test func eventsBecomeLinesAndReloadsAreCounted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = ScriptedSource([
            .stats(info: Fixture.info(pid: 1), csv: Fixture.csv(scale: 3)),
            .failure("connect: Connection refused"),
            .stats(info: Fixture.info(pid: 2, uptime: 0), csv: Fixture.csv(scale: 1)),
        ])
        var settings = AgentSettings()
        settings.fullSnapshotInterval = .zero  // a full snapshot and every probe line, every poll
        settings.statsInterval = .milliseconds(30)
        settings.ndjson = .file(directory.file("agent.ndjson"))
        let agent = Agent(settings: settings, sources: [script.source("edge-1")]) { _ in }
        let running = Task { await agent.run() }
        func written(_ kind: String) -> Bool {
            let text = (try? String(contentsOfFile: directory.file("agent.ndjson"), encoding: .utf8)) ?? ""
            return text.contains("\"kind\":\"\(kind)\"")
        }
        _ = await eventually(interval: .milliseconds(20)) { written("reload") }
        // Events from outside the engine (the probes, later) become lines too.
        await agent.record(
            MonitorEvent(
                time: Date(), instance: "edge-1", object: "wss://edge-1/chat", kind: .probeFailure, detail: "L7 timeout"
            ))
        _ = await eventually(interval: .milliseconds(20)) { written("probe_failure") }
        agent.stop()
        await running.value
        let text = try String(contentsOfFile: directory.file("agent.ndjson"), encoding: .utf8)
        let events = try parseLines(text).filter { $0["type"] as? String == "event" }.compactMap {
            $0["kind"] as? String
        }
        #expect(events == ["instance_unreachable", "instance_recovered", "reload", "probe_failure"], "\(events)")
        #expect(agent.observations.snapshot.reloads["edge-1"] == 1)
        #expect(agent.metricsText().contains("haws_instance_reloads_total{instance=\"edge-1\"} 1\n"))
        #expect(try await Python.schemaProblems(ndjson: text) == nil)
    }

    @Test func anAddressInUseFailsTheStart() async throws {
        var settings = AgentSettings()
        settings.fullSnapshotInterval = .zero  // a full snapshot and every probe line, every poll
        settings.prometheus = ListenAddress(host: "127.0.0.1", port: 0)
        let first = Agent(settings: settings, sources: []) { _ in }
        let server = try #require(try await first.startMetricsServer())
        settings.prometheus = server.address
        let second = Agent(settings: settings, sources: []) { _ in }
        do {
            _ = try await second.startMetricsServer()
            Issue.record("a second server bound \(server.address)")
        } catch {
            #expect(error.kind == .cannotListen)
            #expect(error.description.contains("cannot serve /metrics on 127.0.0.1:\(server.address.port)"))
        }
        await server.close()
    }

    /// `/metrics` is sent piece by piece as it is written: chunked on HTTP/1.1, ended by the connection's close
    /// on HTTP/1.0, and in both cases byte for byte what the writer emitted, large pieces included.
    @Test func metricsAreStreamedWholeOverHTTP11AndHTTP10() async throws {
        let pieces = ["# HELP a x\n# TYPE a gauge\n", String(repeating: "a{k=\"v\"} 1\n", count: 300_000), "b 2\n"]
        let server = try await MetricsServer.start(at: ListenAddress(host: "127.0.0.1", port: 0)) { emit in
            for piece in pieces { emit(ByteBuffer(string: piece)) }
        }
        defer { Task { await server.close() } }
        let script = """
            import socket, sys, http.client, json
            port = int(sys.argv[1])
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/metrics")
            r = c.getresponse()
            body11 = r.read().decode()
            chunked = r.getheader("Transfer-Encoding")
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /metrics HTTP/1.0\\r\\n\\r\\n")
            raw = b""
            while True:
                part = s.recv(65536)
                if not part:
                    break
                raw += part
            head, _, body10 = raw.partition(b"\\r\\n\\r\\n")
            print(json.dumps({"chunked": chunked, "body11": body11, "head10": head.decode(), "body10": body10.decode()}))
            """
        let result = try await Python.run(script, arguments: [String(server.address.port)])
        #expect(result.code == 0, "\(result.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let answer = try #require(decoded as? [String: String])
        let expected = pieces.joined()
        #expect(answer["chunked"] == "chunked")
        #expect(answer["body11"] == expected)
        #expect(answer["head10"]?.hasPrefix("HTTP/1.0 200") == true)
        #expect(answer["head10"]?.lowercased().contains("connection: close") == true)
        #expect(answer["body10"] == expected)
    }

    /// A client that does not read holds only what the kernel takes plus ``MetricsServerLimits/queuedResponseBytes``:
    /// the render waits instead of queueing the whole body (20 MB here), and goes on once the client reads.
    @Test func aSlowReaderHoldsTheRenderNotTheWholeBody() async throws {
        let piece = String(repeating: "a{k=\"v\"} 1\n", count: 26_000)  // 312 KB
        let emitted = NIOLockedValueBox(0)
        let server = try await MetricsServer.start(at: ListenAddress(host: "127.0.0.1", port: 0)) { emit in
            for _ in 0..<64 {
                emit(ByteBuffer(string: piece))
                emitted.withLockedValue { $0 += 1 }
            }
        }
        defer { Task { await server.close() } }
        let script = """
            import socket, sys, time
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            s.connect(("127.0.0.1", int(sys.argv[1])))
            s.sendall(b"GET /metrics HTTP/1.0\\r\\n\\r\\n")
            time.sleep(3)
            total = 0
            while True:
                part = s.recv(1 << 20)
                if not part:
                    break
                total += len(part)
            print(total)
            """
        let client = Task { try await Python.run(script, arguments: [String(server.address.port)]) }
        try await Task.sleep(for: .seconds(2))
        // The kernel's buffers (4 MB of send buffer at most here) and 1 MB queued: about 16 of the 64 pieces.
        let whilePaused = emitted.withLockedValue { $0 }
        #expect(whilePaused < 32, "\(whilePaused) of 64 pieces rendered for a client that read nothing")
        let result = try await client.value
        #expect(result.code == 0, "\(result.stderr)")
        let total = try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(total > 64 * piece.utf8.count, "the whole body and its head: \(total) bytes")
        #expect(emitted.withLockedValue { $0 } == 64)
    }
}
