import HawsLab
import HawsProbe
import HawsTestSupport
import Testing

extension LoopbackProbeTests {
    @Suite("Prober: many probes, cancellation, no leaks")
    struct Engine {
        let prober = LoopbackProbeTests.prober

        @Test("probeAll returns one result per target, in order, mixing passes and failures")
        func order() async throws {
            let ok = WebSocketBackendServer(name: "ok")
            let refusing = WebSocketBackendServer(name: "refusing")
            let okPort = try await ok.start(mode: .ok, port: 0)
            let refusingPort = try await refusing.start(mode: .refuseUpgrade, port: 0)
            let closedPort = try LoopbackSockets.closedPort()
            let ports = (0..<30).map { [okPort, refusingPort, closedPort][$0 % 3] }
            let results = await self.prober.probeAll(
                ports.map { LoopbackProbeTests.target($0) },
                options: LoopbackProbeTests.options(),
                concurrency: 8
            )
            await ok.stop()
            await refusing.stop()
            #expect(results.count == ports.count)
            for (port, result) in zip(ports, results) {
                #expect(result.target.port == port)
                switch port {
                case okPort: #expect(result.passed, "\(String(describing: result.failure))")
                case refusingPort: #expect(result.failure?.code == "status")
                default: #expect(result.failure?.code == "connect_refused")
                }
            }
        }

        @Test("concurrency bounds the probes in flight: 20 hung probes at 4 at a time take 5 deadlines, not 1 or 20")
        func boundedConcurrency() async throws {
            try await LoopbackProbeTests.withLab(.hang) { port in
                let clock = ContinuousClock()
                let start = clock.now
                let results = await self.prober.probeAll(
                    Array(repeating: LoopbackProbeTests.target(port), count: 20),
                    options: LoopbackProbeTests.options(deadline: .milliseconds(200)),
                    concurrency: 4,
                    jitter: .zero
                )
                let elapsed = clock.now - start
                #expect(results.allSatisfy { $0.failure?.code == "timeout" })
                #expect(elapsed >= .milliseconds(5 * 200 - 20), "\(elapsed)")
                #expect(elapsed < .milliseconds(20 * 200), "\(elapsed)")
            }
        }

        @Test("cancelling the awaiting task ends the probe at once, as cancelled")
        func cancellation() async throws {
            try await LoopbackProbeTests.withLab(.hang) { port in
                let prober = self.prober
                let task = Task {
                    await prober.probe(
                        LoopbackProbeTests.target(port),
                        options: LoopbackProbeTests.options(deadline: .seconds(10))
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
                task.cancel()
                let result = await task.value
                #expect(result.failure == .cancelled)
                #expect(result.timings.total < .seconds(2))
            }
        }

        @Test("cancelling a batch ends the probes in flight as cancelled and starts none of the rest")
        func batchCancellation() async throws {
            try await LoopbackProbeTests.withLab(.hang) { port in
                let prober = self.prober
                let task = Task {
                    await prober.probeAll(
                        Array(repeating: LoopbackProbeTests.target(port), count: 20),
                        options: LoopbackProbeTests.options(deadline: .seconds(10)),
                        concurrency: 4,
                        jitter: .zero
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
                let clock = ContinuousClock()
                let cancelledAt = clock.now
                task.cancel()
                let results = await task.value
                #expect(clock.now - cancelledAt < .seconds(2))
                #expect(results.count == 20)
                #expect(results.allSatisfy { $0.failure == .cancelled }, "\(results.map(\.failure))")
            }
        }

        @Test("1,000 probes of a hung server (64 in flight, 250 ms deadline) leave no descriptor behind")
        func noLeak() async throws {
            let server = WebSocketBackendServer(name: "hang")
            let port = try await server.start(mode: .hang, port: 0)
            // Warm up: the first probe creates lazily allocated event-loop and thread-pool descriptors.
            _ = await self.prober.probe(
                LoopbackProbeTests.target(port),
                options: LoopbackProbeTests.options(deadline: .milliseconds(50))
            )
            try await Self.settle { DescriptorCensus.tcpSockets(port: port) == 1 }
            let before = DescriptorCensus.openDescriptors(excludingTCPSocketsNotOn: port)

            let results = await self.prober.probeAll(
                Array(repeating: LoopbackProbeTests.target(port), count: 1_000),
                options: LoopbackProbeTests.options(deadline: .milliseconds(250)),
                concurrency: 64,
                jitter: .milliseconds(5)
            )
            #expect(results.count == 1_000)
            // Each hung probe times out; on a loaded machine (other suites run in parallel) a few may not even get
            // their TCP connect accepted within the deadline.
            let outcomes = Dictionary(grouping: results) {
                "\($0.failure?.code ?? "passed")/\($0.failure?.phase?.rawValue ?? "-")"
            }
            .mapValues(\.count)
            #expect(
                results.allSatisfy { ["timeout", "connect_timeout"].contains($0.failure?.code) },
                "\(outcomes)"
            )

            // Only the listener's own socket may remain on the port, and the total comes back near where it was.
            try await Self.settle { DescriptorCensus.tcpSockets(port: port) == 1 }
            try await Self.settle { DescriptorCensus.openDescriptors(excludingTCPSocketsNotOn: port) <= before + 8 }
            try await Self.settle { server.openConnections == 0 }
            await server.stop()
        }

        /// Polls `condition` until it holds, failing after `limit`: descriptors close asynchronously (the server
        /// side sees EOF on its own event loop), so the count settles rather than being exact at once.
        static func settle(limit: Duration = .seconds(10), _ condition: () -> Bool) async throws {
            if !(await eventually(timeout: limit, interval: .milliseconds(20), condition)) {
                Issue.record("condition still false after \(TestDeadline.scaled(limit))")
            }
        }
    }
}
