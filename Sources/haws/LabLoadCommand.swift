import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import HawsConfig
import HawsCore
import HawsLab

/// `haws lab-load` (hidden): the scale lab's backends and clients as separate processes, for Scripts/bench.sh.
///
/// Separate processes because every process here may open at most 20,000 files: HAProxy, the clients and the
/// backends each need one descriptor per h1 tunnel. The script starts HAProxy itself (it measures its CPU).
struct LabLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab-load",
        abstract: "Scale lab for benchmarks: tunnel backends with an HAProxy config, and clients holding tunnels.",
        shouldDisplay: false,
        subcommands: [Backends.self, Clients.self]
    )

    struct Backends: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start tunnel servers s0.. (h1 or h2) and a plain HTTP server; write an HAProxy config for them.",
            discussion: """
                Writes DIR/haproxy.cfg (runtime API at DIR/admin.sock, level admin) and prints one JSON line \
                {"ready":"backends",...} with the frontend's ports. Then keeps DIR/tunnels.json current (every \
                250 ms): the tunnels each server holds by its own count, the ground truth. Stops on SIGTERM/SIGINT.
                """)

        @Option(help: "h1 (HTTP/1.1 Upgrade) or h2 (RFC 8441 over cleartext HTTP/2) on both sides of HAProxy.")
        var proto: String = "h1"

        @Option(help: "Tunnel servers in backend be_ws.")
        var servers: Int = 10

        @Option(help: ArgumentHelp("Directory for haproxy.cfg, admin.sock and tunnels.json (must exist).", valueName: "dir"))
        var dir: String

        func run() async throws {
            let tunnelProtocol = try LabLoadCommand.parse(proto)
            let signals = SignalWaiter()
            let fleet = try await ScaleBackendFleet.start(tunnelProtocol, servers: servers)
            let ports = try FreePort.pick(count: 2)
            let socket = dir + "/admin.sock"
            let config = fleet.haproxyConfig(frontendPort: ports[0], h2Port: ports[1], socketPath: socket)
            try config.validate()
            try LabLoadCommand.write(config.rendered(), to: dir + "/haproxy.cfg")
            try LabLoadCommand.write(Self.countsJSON(fleet), to: dir + "/tunnels.json")
            let tunnelPort = tunnelProtocol == .h2 ? ports[1] : ports[0]
            print(
                "{\"ready\":\"backends\",\"proto\":\"\(tunnelProtocol.rawValue)\",\"config\":\"\(dir)/haproxy.cfg\","
                    + "\"socket\":\"\(socket)\",\"http_port\":\(ports[0]),\"tunnel_port\":\(tunnelPort)}")
            fflush(nil)
            let writer = Task {
                while !Task.isCancelled {
                    try? LabLoadCommand.write(Self.countsJSON(fleet), to: dir + "/tunnels.json")
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
            _ = await signals.next()
            writer.cancel()
            await fleet.stop()
        }

        /// `{"total":N,"servers":{"s0":n0,...}}`: the servers' own counts.
        static func countsJSON(_ fleet: ScaleBackendFleet) -> String {
            let counts = fleet.tunnelCounts
            let servers = counts.map { "\"\($0.server)\":\($0.open)" }.joined(separator: ",")
            return "{\"total\":\(counts.reduce(0) { $0 + $1.open }),\"servers\":{\(servers)}}\n"
        }
    }

    struct Clients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open N WebSocket tunnels through a frontend and hold them until SIGTERM/SIGINT.",
            discussion: """
                Prints {"ready":"clients","tunnels":N,"seconds":S} once all are established (exit 2 with one line \
                on stderr if any fails), then {"stopped":"clients","open":n} when told to stop. h2 opens 1,000 \
                streams per connection (the lab's tune.h2.max-concurrent-streams).
                """)

        @Option(help: "h1 or h2: must match the backends' --proto (h2 connects to the frontend's proto h2 bind).")
        var proto: String = "h1"

        @Option(help: "Frontend port on 127.0.0.1 (the backends' tunnel_port).")
        var port: Int

        @Option(help: "Tunnels to open and hold.")
        var tunnels: Int

        @Option(help: "Upgrades (h1) or connections (h2) in flight while opening.")
        var window: Int?

        @Option(help: ArgumentHelp("Bounds each upgrade (h1) or each connection's streams (h2).", valueName: "duration"))
        var timeout: String = "120s"

        func run() async throws {
            let tunnelProtocol = try LabLoadCommand.parse(proto)
            guard tunnels > 0, (1...65535).contains(port) else {
                throw ValidationError("--tunnels must be positive and --port in 1-65535")
            }
            let limit = try DurationFlag.parse(timeout, flag: "--timeout")
            let signals = SignalWaiter()
            let clients = ScaleTunnelClients(
                tunnelProtocol,
                port: port,
                path: ScaleBackendFleet.tunnelPath + "/bench",
                window: window,
                timeout: limit
            )
            let started = ContinuousClock.now
            do {
                try await clients.open(count: tunnels)
            } catch {
                StandardError.write("haws lab-load clients: \(error)\n")
                await clients.closeAll()
                throw ExitCode(2)
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("{\"ready\":\"clients\",\"tunnels\":\(tunnels),\"seconds\":\(String(printf: "%.2f", seconds))}")
            fflush(nil)
            _ = await signals.next()
            print("{\"stopped\":\"clients\",\"open\":\(await clients.openTunnels())}")
            fflush(nil)
            await clients.closeAll()
        }
    }

    static func parse(_ proto: String) throws -> TunnelProtocol {
        guard let value = TunnelProtocol(rawValue: proto) else {
            throw ValidationError("--proto must be h1 or h2, not '\(proto)'")
        }
        return value
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
