import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Steady, bounded client traffic for `haws demo`: keeps tunnel populations open, churns them, sends messages and
/// makes plain API calls, until its task is cancelled; then it closes everything it opened.
///
/// Failures (a backend taken down, HAProxy killed) are counted, not thrown: the demo is meant to show haws
/// reacting to faults, so traffic must keep trying, with a back-off so a dead frontend is not hammered.
public final class TrafficGenerator: Sendable {
    /// What happened so far.
    public struct Counters: Sendable, Hashable {
        public var tunnelsOpened = 0
        public var openFailures = 0
        public var tunnelsClosed = 0
        public var messagesEchoed = 0
        public var messageFailures = 0
        public var httpSucceeded = 0
        public var httpFailed = 0
        /// Tunnels open right now, per path.
        public var openTunnels: [String: Int] = [:]

        public init() {}
    }

    public let host: String
    public let port: Int
    public let plan: TrafficPlan
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(Counters())

    public init(
        host: String = "127.0.0.1",
        port: Int,
        plan: TrafficPlan = .demo,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.plan = plan
        self.group = group
    }

    /// Traffic aimed at a lab's frontend.
    public convenience init(lab: Lab, plan: TrafficPlan = .demo) {
        self.init(port: lab.frontendPort, plan: plan, group: lab.group)
    }

    public var counters: Counters { self.state.withLockedValue { $0 } }

    /// Runs until the calling task is cancelled, then closes every tunnel cleanly and returns.
    public func run() async {
        await withTaskGroup(of: Void.self) { tasks in
            for population in self.plan.tunnels where population.count > 0 {
                tasks.addTask { await self.keep(population) }
            }
            if !self.plan.httpPaths.isEmpty, self.plan.httpRequestsPerSecond > 0 {
                tasks.addTask { await self.callAPI() }
            }
        }
    }

    private func keep(_ population: TrafficPlan.Tunnels) async {
        let pool = WebSocketClientPool(
            host: self.host,
            port: self.port,
            window: 16,
            timeout: .seconds(3),
            group: self.group
        )
        let clock = ContinuousClock()
        let tickSeconds = Self.seconds(self.plan.tick)
        var churnCredit = 0.0
        var nextMessages = clock.now.advanced(by: self.plan.messageInterval)
        var backoff = Duration.zero
        var sequence = 0

        while !Task.isCancelled {
            let before = await pool.openCount
            let missing = population.count - before
            if missing > 0 {
                let failed: Bool
                do {
                    try await pool.open(count: min(missing, 16), path: population.path)
                    failed = false
                } catch {
                    failed = true
                }
                let opened = await pool.openCount - before
                self.state.withLockedValue {
                    $0.tunnelsOpened += max(0, opened)
                    $0.openFailures += max(0, min(missing, 16) - opened)
                }
                backoff = failed ? min(max(backoff * 2, self.plan.tick), .seconds(2)) : .zero
            }

            churnCredit += self.plan.churnPerSecond * tickSeconds
            if churnCredit >= 1 {
                let count = Int(churnCredit)
                churnCredit -= Double(count)
                let closed = await pool.close(count: count)
                self.state.withLockedValue { $0.tunnelsClosed += closed }
            }

            if clock.now >= nextMessages {
                nextMessages = clock.now.advanced(by: self.plan.messageInterval)
                let targets = await pool.openConnections.shuffled().prefix(self.plan.messagesPerInterval)
                var texts: [(LabWebSocketConnection, String)] = []
                for connection in targets {
                    sequence += 1
                    texts.append((connection, "haws demo \(population.path) #\(sequence)"))
                }
                await withTaskGroup(of: Bool.self) { sends in
                    for (connection, text) in texts {
                        sends.addTask {
                            (try? await connection.sendTextAndAwaitEcho(text, timeout: .seconds(2))) == text
                        }
                    }
                    for await echoed in sends {
                        self.state.withLockedValue { counters in
                            if echoed {
                                counters.messagesEchoed += 1
                            } else {
                                counters.messageFailures += 1
                            }
                        }
                    }
                }
            }

            let open = await pool.openCount
            self.state.withLockedValue { $0.openTunnels[population.path] = open }
            do {
                try await Task.sleep(for: self.plan.tick + backoff)
            } catch {
                break
            }
        }
        await pool.closeAll()
        self.state.withLockedValue { $0.openTunnels[population.path] = 0 }
    }

    private func callAPI() async {
        let interval = Duration.seconds(1.0 / self.plan.httpRequestsPerSecond)
        var index = 0
        while !Task.isCancelled {
            let path = self.plan.httpPaths[index % self.plan.httpPaths.count]
            index += 1
            do {
                let response = try await LabHTTPClient.get(
                    host: self.host,
                    port: self.port,
                    path: path,
                    timeout: .seconds(2),
                    group: self.group
                )
                let succeeded = (200..<400).contains(response.status)
                self.state.withLockedValue { counters in
                    if succeeded {
                        counters.httpSucceeded += 1
                    } else {
                        counters.httpFailed += 1
                    }
                }
            } catch {
                self.state.withLockedValue { $0.httpFailed += 1 }
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                break
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
