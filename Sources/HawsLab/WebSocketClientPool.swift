import NIOCore
import NIOPosix
import NIOWebSocket

/// Many real WebSocket clients through one HAProxy frontend, opened and closed in bulk.
///
/// Tests open N tunnels and check that HAProxy's derived tunnel count, the backends' `openWebSockets` and haws's
/// numbers agree; the demo keeps a steady population. Opening runs with a bounded window so that a few hundred
/// clients neither exhaust the event loops nor turn "latency" into a measure of the client's own backlog.
public actor WebSocketClientPool {
    public nonisolated let host: String
    public nonisolated let port: Int
    /// How many upgrades may be in flight at once.
    public nonisolated let window: Int
    /// Bounds each connect + upgrade.
    public nonisolated let timeout: Duration
    private nonisolated let group: any EventLoopGroup
    private var connections: [LabWebSocketConnection] = []

    public init(
        host: String = "127.0.0.1",
        port: Int,
        window: Int = 64,
        timeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.window = max(1, window)
        self.timeout = timeout
        self.group = group
    }

    /// Connections still open (a backend or HAProxy may have closed some since they were opened).
    public var openCount: Int {
        self.connections.filter(\.isOpen).count
    }

    /// The open connections, e.g. to send on one of them.
    public var openConnections: [LabWebSocketConnection] {
        self.connections.filter(\.isOpen)
    }

    /// Opens `count` WebSockets to `path` and returns when all are upgraded.
    ///
    /// Those that succeed stay in the pool even when others fail, so `closeAll()` still cleans up.
    /// - Throws: `LabError.Code.upgradeFailed` saying how many failed and why (grouped by reason).
    @discardableResult
    public func open(count: Int, path: String) async throws -> [LabWebSocketConnection] {
        guard count > 0 else {
            return []
        }
        let (host, port, timeout, group, window) = (self.host, self.port, self.timeout, self.group, self.window)
        var opened: [LabWebSocketConnection] = []
        var failures: [String: Int] = [:]
        await withTaskGroup(of: Result<LabWebSocketConnection, LabError>.self) { tasks in
            var started = 0
            func startOne() {
                started += 1
                tasks.addTask {
                    do {
                        let connection = try await LabWebSocketConnection.connect(
                            host: host,
                            port: port,
                            path: path,
                            timeout: timeout,
                            group: group
                        )
                        return .success(connection)
                    } catch let error as LabError {
                        return .failure(error)
                    } catch {
                        return .failure(LabError(.upgradeFailed, "\(error)"))
                    }
                }
            }
            while started < min(window, count) {
                startOne()
            }
            for await result in tasks {
                switch result {
                case .success(let connection):
                    opened.append(connection)
                case .failure(let error):
                    failures[error.detail, default: 0] += 1
                }
                if started < count, !Task.isCancelled {
                    startOne()
                }
            }
        }
        self.connections += opened
        let failed = count - opened.count
        guard failed == 0 else {
            let reasons = failures.sorted { $0.value > $1.value }.map { "\($0.value)x \($0.key)" }
            let summary = reasons.isEmpty ? "cancelled" : reasons.joined(separator: "; ")
            throw LabError(.upgradeFailed, "\(failed) of \(count) WebSocket upgrades to \(path) failed: \(summary)")
        }
        return opened
    }

    /// Closes `count` of the open connections cleanly (close 1000, bounded wait for the server's close).
    ///
    /// - Returns: how many were closed (fewer if fewer were open).
    @discardableResult
    public func close(count: Int, code: WebSocketErrorCode = .normalClosure) async -> Int {
        self.pruneClosed()
        let victims = Array(self.connections.prefix(max(0, count)))
        self.connections.removeFirst(victims.count)
        await Self.closeConcurrently(victims, code: code, window: self.window)
        return victims.count
    }

    /// Closes every connection cleanly.
    public func closeAll(code: WebSocketErrorCode = .normalClosure) async {
        let all = self.connections
        self.connections = []
        await Self.closeConcurrently(all, code: code, window: self.window)
    }

    /// Drops connections without a closing handshake (what crashing clients do).
    public func abortAll() async {
        let all = self.connections
        self.connections = []
        for connection in all {
            await connection.abort()
        }
    }

    /// Sends `text` on one open connection and waits for the echo.
    public func sendTextAndAwaitEcho(_ text: String, timeout: Duration = .seconds(5)) async throws -> String {
        guard let connection = self.connections.first(where: \.isOpen) else {
            throw LabError(.notRunning, "no open WebSocket in the pool")
        }
        return try await connection.sendTextAndAwaitEcho(text, timeout: timeout)
    }

    private func pruneClosed() {
        self.connections.removeAll { !$0.isOpen }
    }

    private static func closeConcurrently(
        _ connections: [LabWebSocketConnection],
        code: WebSocketErrorCode,
        window: Int
    ) async {
        await withTaskGroup(of: Void.self) { tasks in
            var iterator = connections.makeIterator()
            var running = 0
            while running < window, let next = iterator.next() {
                running += 1
                tasks.addTask { await next.close(code: code) }
            }
            for await _ in tasks {
                if let next = iterator.next() {
                    tasks.addTask { await next.close(code: code) }
                }
            }
        }
    }
}
