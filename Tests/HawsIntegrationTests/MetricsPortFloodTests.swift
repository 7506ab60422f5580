import Foundation
import HawsLab
import HawsTestSupport
import Testing

/// Thousands of idle TCP connections to `/metrics` of a real `haws agent` polling a real HAProxy: scrapes still
/// answer, polls still reach HAProxy, and the agent's descriptors stay bounded.
@Suite(.serialized) struct MetricsPortFloodTests {
    static let idleConnections = 3_000

    @Test func idleConnectionsCannotBlindTheAgent() async throws {
        let lab = try await Lab.start(.demo)
        let directory = try TemporaryDirectory()
        let agent = try await AgentProcess.start(
            [
                "agent", "--socket", try #require(lab.adminSocketPath), "--interval", "200ms", "--output",
                directory.ndjson, "--prometheus", "127.0.0.1:0", "--no-probe",
            ], directory: directory)
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        do {
            let port = try #require(await agent.metricsPort, "no metrics address: \(agent.stderr)")
            #expect(try await agent.waitForSnapshots(1) > 0, "no snapshot line: \(agent.stderr)")
            for _ in 0..<Self.idleConnections {
                let fd = try Self.connect(port: port)
                sockets.append(fd)
            }
            // Scrapes get in while the idle connections are open (each new connection evicts the oldest idle one).
            let scraped = try await eventually(timeout: .seconds(5)) {
                let metrics = try? await Prometheus.scrape("http://127.0.0.1:\(port)/metrics")
                return metrics?["haws_instance_up{instance=\"\(try #require(lab.adminSocketPath))\"}"] == 1
            }
            #expect(scraped, "no scrape through \(Self.idleConnections) idle connections: \(agent.stderr)")

            // The agent holds at most its limit (64) plus its own few, not one descriptor per client.
            let pid = try #require(Self.pid(commandLineContaining: directory.ndjson))
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
            #expect(descriptors > 0 && descriptors < 200, "agent holds \(descriptors) descriptors")

            // Polls go on and reach HAProxy.
            let before = try agent.snapshots().count
            let polled = try await eventually(timeout: .seconds(5)) { try agent.snapshots().count >= before + 3 }
            #expect(polled)
            #expect(!agent.stderr.contains("Too many open files"), "\(agent.stderr)")
            #expect(!agent.stderr.contains("unreachable"), "\(agent.stderr)")

            // An idle connection that was not evicted is closed after the 10 s request deadline.
            let last = try #require(sockets.last)
            #expect(Self.waitForClose(last, within: 13), "an idle connection was still open after 13 s")

            #expect(await agent.terminate(.terminate) == 0, "\(agent.stderr)")
        } catch {
            await agent.kill()
            await lab.shutdown()
            throw error
        }
        await lab.shutdown()
        directory.remove()
    }

    /// A blocking loopback connect; the descriptor, left idle.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LabTestError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw LabTestError("connect to 127.0.0.1:\(port): \(reason)")
        }
        return fd
    }

    /// Whether the peer closes `fd` (a read returns 0 or an error) within `seconds`.
    static func waitForClose(_ fd: Int32, within seconds: Int) -> Bool {
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollfd, 1, Int32(seconds * 1_000)) == 1 else { return false }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) <= 0
    }

    static func pid(commandLineContaining needle: String) -> Int? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                String(decoding: data, as: UTF8.self).contains(needle)
            else { continue }
            return pid
        }
        return nil
    }
}
