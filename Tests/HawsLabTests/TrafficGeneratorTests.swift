import HawsLab
import Testing

@Suite("Demo traffic generator", .serialized)
struct TrafficGeneratorTests {
    @Test("keeps populations open, churns, echoes and calls the API; cancelling closes everything")
    func steadyTraffic() async throws {
        try await withLab { lab in
            let plan = TrafficPlan(
                tunnels: [.init(path: "/chat", count: 6), .init(path: "/feed", count: 3)],
                churnPerSecond: 4,
                messageInterval: .milliseconds(200),
                messagesPerInterval: 2,
                httpPaths: ["/api/items"],
                httpRequestsPerSecond: 10,
                tick: .milliseconds(100)
            )
            let generator = TrafficGenerator(lab: lab, plan: plan)
            let running = Task { await generator.run() }

            try await waitFor(timeout: .seconds(10)) {
                let counters = generator.counters
                return counters.tunnelsClosed >= 4 && counters.messagesEchoed >= 4 && counters.httpSucceeded >= 3
                    && counters.tunnelsOpened >= 9 + 4
            }
            try await waitFor {
                lab.openWebSockets(backend: "ws_chat") == 6 && lab.openWebSockets(backend: "ws_feed") == 3
            }
            let counters = generator.counters
            #expect(counters.openFailures == 0)
            #expect(counters.messageFailures == 0)
            #expect(counters.httpFailed == 0)

            running.cancel()
            await running.value
            #expect(generator.counters.openTunnels.values.allSatisfy { $0 == 0 })
            try await waitFor { lab.openWebSockets() == 0 }
        }
    }

    @Test("a backend taken down is counted as failures, not thrown, and traffic recovers")
    func survivesFaults() async throws {
        var spec = LabSpec.demo
        spec.backends = [LabSpec.Backend("ws_feed", pathPrefix: "/feed", servers: [.init("f1")])]
        spec.defaultBackend = "ws_feed"
        try await withLab(spec) { lab in
            let plan = TrafficPlan(
                tunnels: [.init(path: "/feed", count: 3)],
                churnPerSecond: 0,
                httpPaths: [],
                tick: .milliseconds(100)
            )
            let generator = TrafficGenerator(lab: lab, plan: plan)
            let running = Task { await generator.run() }
            let f1 = try #require(lab.server("ws_feed", "f1"))
            try await waitFor { f1.openWebSockets == 3 }
            await f1.stop()
            try await waitFor { generator.counters.openFailures > 0 }
            try await f1.start(mode: .ok)
            try await waitFor(timeout: .seconds(10)) { f1.openWebSockets == 3 }
            running.cancel()
            await running.value
            try await waitFor { f1.openWebSockets == 0 }
        }
    }
}
