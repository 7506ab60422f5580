import HawsCore

/// A worker from before a reload, still alive: what `show proc` says about it and the tunnels it holds.
public struct OldWorkerReading: Sendable, Hashable {
    public var pid: Int
    /// From `show proc`'s uptime column; nil when unreadable.
    public var uptimeSeconds: Int?
    /// WebSocket tunnels in its `show sess all`; nil when that answer could not be read.
    public var tunnels: Int?
}

extension InstanceReader {
    /// The old workers of the master socket, each with its age and tunnels (`haws doctor`); nil without a
    /// master socket or when `show proc` fails. One `@!PID show sess all` per old worker, one after the other:
    /// each pauses that worker's threads, as on the current worker.
    public func oldWorkers() async -> [OldWorkerReading]? {
        guard let master = spec.master else { return nil }
        let client = RuntimeAPIClient(endpoint: master, timeout: timeout)
        guard let procText = try? await client.send(RuntimeCommand.showProc.text) else { return nil }
        var readings: [OldWorkerReading] = []
        for worker in ProcListParser.parse(procText) where worker.role == .worker && worker.isOld {
            let command = RuntimeCommand.onWorker(pid: worker.pid, .showSessAll)
            let tunnels = (try? await client.send(command.text)).map { text in
                SessionListParser.parse(text).count(where: \.isTunnel)
            }
            readings.append(OldWorkerReading(
                pid: worker.pid, uptimeSeconds: worker.uptime.flatMap(HumanDuration.seconds), tunnels: tunnels))
        }
        return readings
    }
}
