import HawsLab
import HawsProbe
import Testing

/// Every test that opens sockets, in one serialized tree: the leak test counts this process's descriptors, so no
/// other probe test may open sockets while it runs.
@Suite("Probes on loopback", .serialized)
struct LoopbackProbeTests {
    static let prober = Prober()

    /// Options with short limits, so failing cases fail fast.
    static func options(
        _ mode: ProbeOptions.Mode = .full,
        deadline: Duration = .seconds(3),
        phase: Duration = .seconds(2),
        tls: TLSProfile = TLSProfile(),
        message: ProbeMessage? = nil
    ) -> ProbeOptions {
        var timeouts = ProbeTimeouts.all(phase)
        timeouts.deadline = deadline
        return ProbeOptions(mode: mode, timeouts: timeouts, tls: tls, message: message)
    }

    /// Runs `body` against a HawsLab backend in `mode`, always stopping it.
    static func withLab<T>(_ mode: LabBackendMode, _ body: (Int) async throws -> T) async throws -> T {
        try await withServer(mode) { _, port in try await body(port) }
    }

    /// ``withLab(_:_:)`` for a test that also watches the server (its open connections).
    static func withServer<T>(
        _ mode: LabBackendMode, _ body: (WebSocketBackendServer, Int) async throws -> T
    ) async throws -> T {
        let server = WebSocketBackendServer(name: "probe-test")
        let port = try await server.start(mode: mode, port: 0)
        do {
            let result = try await body(server, port)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    static func target(_ port: Int, tls: Bool = false, path: String = "/ws") -> ProbeTarget {
        ProbeTarget(host: "127.0.0.1", port: port, tls: tls, path: path)
    }

    /// Phase timings a healthy loopback probe must show.
    static func expectSaneTimings(_ result: ProbeResult, full: Bool, tls: Bool = false) {
        let t = result.timings
        let second = Duration.seconds(1)
        #expect(t.connect.map { $0 >= .zero && $0 < second } == true, "connect \(String(describing: t.connect))")
        #expect(t.upgrade.map { $0 > .zero && $0 < second } == true, "upgrade \(String(describing: t.upgrade))")
        #expect((t.tls != nil) == tls)
        #expect(t.resolve == nil)
        if full {
            #expect(t.ping.map { $0 > .zero && $0 < second } == true, "ping \(String(describing: t.ping))")
            #expect(t.close.map { $0 > .zero && $0 < second } == true, "close \(String(describing: t.close))")
        } else {
            #expect(t.ping == nil)
        }
        let phases = [t.connect, t.tls, t.upgrade, t.ping, t.message, t.close].compactMap { $0 }
        #expect(t.total >= phases.reduce(.zero, +))
        #expect(t.total < .seconds(3))
        #expect(result.finishedAt >= result.startedAt)
    }
}
