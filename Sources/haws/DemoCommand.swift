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
import HawsClient
import HawsConfig
import HawsCore
import HawsLab

/// `haws demo`: a self-contained lab on loopback and haws watching it. No configuration needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a lab on loopback (real HAProxy, WebSocket backends, client traffic) and watch it.",
        discussion: """
            Starts Debian's haproxy with a generated config on free 127.0.0.1 ports, WebSocket backends \
            (ws_chat: s1-s3, ws_feed: f1-f2, http_api: a1), and clients that keep tunnels open and churn. \
            On a terminal it opens `haws top` on the lab (quit with q); otherwise, or with --no-dashboard or \
            --duration, it prints `haws status` every second. Ctrl-C stops everything it started.
            """)

    @Option(help: ArgumentHelp("Stop by itself after this long (e.g. 30s); default: run until Ctrl-C.", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Refresh interval of the status view.", valueName: "duration"))
    var interval: String = "1s"

    @Flag(help: "Refresh `haws status` instead of opening the `haws top` dashboard (the default on a terminal).")
    var noDashboard = false

    /// Checked before the lab starts.
    func validate() throws {
        _ = try duration.map { try DurationFlag.parse($0, flag: "--duration") }
        _ = try DurationFlag.parse(interval, flag: "--interval")
    }

    func run() async throws {
        let limit = try duration.map { try DurationFlag.parse($0, flag: "--duration") }
        let refresh = try DurationFlag.parse(interval, flag: "--interval")
        let signals = SignalWaiter()

        let lab = try await Lab.start(.demo)
        let traffic = TrafficGenerator(lab: lab)
        let trafficTask = Task { await traffic.run() }
        let socket = lab.adminSocketPath ?? ""
        let intro = """
            haws demo: HAProxy pid \(await lab.haproxy.pid.map(String.init) ?? "?") on 127.0.0.1:\(lab.frontendPort)
              WebSocket paths: ws://127.0.0.1:\(lab.frontendPort)/chat  /feed   HTTP: /api
              admin socket:    \(socket)
              stats page:      \(lab.statsURL ?? "-") (user \(lab.statsCredentials?.user ?? "-"), password \(lab.statsCredentials?.password ?? "-"))
              try:             haws status --socket \(socket)
            Ctrl-C stops the lab.

            """
        print(intro)

        // On a terminal, the dashboard; it returns when the operator quits (q, Ctrl-C).
        if !noDashboard, limit == nil, isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 {
            do {
                let top = try TopCommand.parse(["--socket", socket, "--audit-log", lab.directory.file("audit.log")])
                try await top.run()
                trafficTask.cancel()
                await trafficTask.value
                await lab.shutdown()
                print("haws demo: stopped the lab (HAProxy, backends, clients).")
                return
            } catch {
                StandardError.write("haws demo: the dashboard could not start (\(error)); showing haws status instead\n")
            }
        }

        let viewer = Task {
            let spec = try InstanceSpec.fromFlags(name: "demo", socket: socket)
            let clear = isatty(STDOUT_FILENO) == 1
            while !Task.isCancelled {
                let reading = await InstanceReader(spec: spec, timeout: .seconds(2)).read()
                let report = StatusEvaluator.evaluate([reading], policy: StatusPolicy())
                let table = StatusTableRenderer(color: Terminal.wantsColor(disabled: false)).render(report)
                print((clear ? "\u{1B}[H\u{1B}[2J" + intro : "") + table, terminator: "")
                fflush(nil)  // all streams: naming the C global `stdout` is not concurrency-safe
                try? await Task.sleep(for: refresh)
            }
        }
        if let limit {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = await signals.next() }
                group.addTask { try? await Task.sleep(for: limit) }
                await group.next()
                group.cancelAll()
            }
        } else {
            _ = await signals.next()
        }
        viewer.cancel()
        trafficTask.cancel()
        await trafficTask.value
        await lab.shutdown()
        print("haws demo: stopped the lab (HAProxy, backends, clients).")
    }
}
