import Foundation
import HawsLab
import Testing

/// The lab against the real HAProxy 2.6: sockets, tunnels, stats page, faults.
@Suite("Lab with a real HAProxy", .serialized)
struct LabTests {
    @Test("default lab: show stat on the admin socket, levels enforced, stats page behind auth")
    func sockets() async throws {
        try await withLab { lab in
            let adminPath = try #require(lab.adminSocketPath)
            let stat = try await LabRuntimeSocket.send("show stat", unixSocketPath: adminPath)
            #expect(stat.hasPrefix("# pxname,svname,"))
            let rows = LabStatRows(csv: stat)
            for (backend, server) in [("ws_chat", "s1"), ("ws_chat", "s3"), ("ws_feed", "f2"), ("http_api", "a1")] {
                #expect(rows.row(backend, server) != nil, "no row for \(backend)/\(server)")
            }
            #expect(rows.row("fe_main", "FRONTEND")?.status == "OPEN")

            let info = try await lab.runtime("show info", level: .user)
            #expect(info.contains("Pid: \(try #require(await lab.haproxy.pid))"))
            #expect(try await lab.runtime("show sess", level: .user).contains("Permission denied"))
            #expect(!(try await lab.runtime("show sess", level: .operator).contains("Permission denied")))
            let drain = try await lab.runtime("set server ws_chat/s1 state drain", level: .operator)
            #expect(drain.contains("Permission denied"))
            #expect(
                try await lab.runtime("set server ws_chat/s1 state ready", level: .admin).trimmingCharacters(
                    in: .whitespacesAndNewlines
                ).isEmpty
            )

            let url = try #require(lab.statsURL)
            #expect(url == "http://127.0.0.1:\(lab.frontendPort)/stats")
            let credentials = try #require(lab.statsCredentials)
            let csv = try await LabHTTPClient.get(port: lab.frontendPort, path: "/stats;csv", basicAuth: credentials)
            #expect(csv.status == 200)
            #expect(csv.body.hasPrefix("# pxname,svname,"))
            let denied = try await LabHTTPClient.get(port: lab.frontendPort, path: "/stats;csv")
            #expect(denied.status == 401)

            let api = try await LabHTTPClient.get(port: lab.frontendPort, path: "/api/items")
            #expect(api.status == 200)
            #expect(api.header("X-Haws-Server") == "a1")
        }
    }

    @Test("25 tunnels through HAProxy: backends and HAProxy agree while 15 then all close")
    func tunnels() async throws {
        try await withLab { lab in
            let clients = lab.clients()
            try await clients.open(count: 25, path: "/chat")
            #expect(await clients.openCount == 25)
            try await waitFor { lab.openWebSockets(backend: "ws_chat") == 25 }
            #expect(lab.openWebSockets() == 25)
            // Round robin spreads them over the three servers.
            for name in ["s1", "s2", "s3"] {
                #expect((lab.server("ws_chat", name)?.openWebSockets ?? 0) > 0)
            }
            #expect(derivedTunnels(try await lab.stats(), backend: "ws_chat") == 25)
            #expect(try await clients.sendTextAndAwaitEcho("through haproxy") == "through haproxy")
            let landedOn = await clients.openConnections.compactMap(\.serverName)
            #expect(landedOn.count == 25)
            #expect(Set(landedOn) == ["s1", "s2", "s3"])

            #expect(await clients.close(count: 15) == 15)
            #expect(await clients.openCount == 10)
            try await waitFor { lab.openWebSockets(backend: "ws_chat") == 10 }
            try await waitFor { derivedTunnels(try await lab.stats(), backend: "ws_chat") == 10 }

            await clients.closeAll()
            #expect(await clients.openCount == 0)
            try await waitFor { lab.openWebSockets() == 0 }
            try await waitFor { derivedTunnels(try await lab.stats(), backend: "ws_chat") == 0 }
        }
    }

    @Test("a stopped backend server goes DOWN, its tunnels close, and it comes back UP")
    func backendDownAndUp() async throws {
        try await withLab { lab in
            let clients = lab.clients()
            try await clients.open(count: 6, path: "/chat")
            let s3 = try #require(lab.server("ws_chat", "s3"))
            try await waitFor { s3.openWebSockets == 2 }
            await s3.stop()
            try await waitFor { await clients.openCount == 4 }
            try await lab.waitForStatus("ws_chat", "s3", timeout: .seconds(5)) { $0.hasPrefix("DOWN") }
            try await s3.start(mode: .ok)
            try await lab.waitForStatus("ws_chat", "s3", timeout: .seconds(5)) { $0 == "UP" }
        }
    }

    @Test("a hung server goes DOWN on its health check; a wrong-accept server stays UP")
    func faultyServers() async throws {
        try await withLab(.single(modes: [.ok, .hang, .wrongAccept])) { lab in
            try await lab.waitForStatus("ws", "m2", timeout: .seconds(8)) { $0.hasPrefix("DOWN") }
            let rows = try await lab.stats()
            #expect(rows.row("ws", "m3")?.status == "UP")
            #expect(rows.row("ws", "m1")?.status == "UP")
        }
    }

    @Test("kill leaves the socket file, which refuses connections; restart serves again")
    func killAndRestart() async throws {
        try await withLab { lab in
            let clients = lab.clients()
            try await clients.open(count: 3, path: "/feed")
            let adminPath = try #require(lab.adminSocketPath)
            let oldPid = try #require(await lab.haproxy.pid)

            await lab.haproxy.kill()
            #expect(await lab.haproxy.pid == nil)
            #expect(FileManager.default.fileExists(atPath: adminPath))
            #expect(SocketProbe.unix(path: adminPath) == .refused)
            #expect(SocketProbe.tcp(port: lab.frontendPort) == .refused)
            await #expect(throws: LabError.self) {
                _ = try await LabRuntimeSocket.send("show info", unixSocketPath: adminPath)
            }
            try await waitFor { await clients.openCount == 0 }
            try await waitFor { lab.openWebSockets() == 0 }

            try await lab.haproxy.restart()
            let newPid = try #require(await lab.haproxy.pid)
            #expect(newPid != oldPid)
            #expect(try await lab.runtime("show info").contains("Pid: \(newPid)"))
            try await clients.open(count: 2, path: "/feed")
            try await waitFor { lab.openWebSockets(backend: "ws_feed") == 2 }
        }
    }

    @Test("a taken frontend port is reported as addressInUse")
    func addressInUse() async throws {
        let blocker = WebSocketBackendServer(name: "blocker")
        let port = try await blocker.start(mode: .hang, port: 0)
        defer { Task { await blocker.stop() } }
        let config = HAProxyConfig(
            frontend: .init(bindPort: port, defaultBackend: "b"),
            backends: [
                .init(name: "b", servers: [.init(name: "x", port: port, check: nil)])
            ]
        )
        let process = try HAProxyProcess(config: config, options: .init(readinessTimeout: .seconds(5)))
        defer { process.directory.remove() }
        await #expect {
            try await process.start()
        } throws: { error in
            guard let error = error as? LabError else { return false }
            return error.code == .addressInUse && error.detail.contains("\(port)")
        }
        #expect(await !process.isRunning)
        await process.stop()
        await blocker.stop()
    }

    @Test("the seed-style config (stats page, no socket) runs and serves WebSockets")
    func seedStyle() async throws {
        let server = WebSocketBackendServer(name: "ws1")
        let backendPort = try await server.start(mode: .ok, port: 0)
        let frontendPort = try FreePort.pick()
        let process = try HAProxyProcess(
            config: .seedStyle(frontendPort: frontendPort, servers: [("ws1", backendPort)])
        )
        do {
            try await process.start()
            let stats = try await LabHTTPClient.get(
                port: frontendPort,
                path: "/stats;csv",
                basicAuth: ("admin", "password")
            )
            #expect(stats.status == 200)
            let connection = try await LabWebSocketConnection.connect(port: frontendPort, path: "/anything")
            #expect(try await connection.sendTextAndAwaitEcho("seed") == "seed")
            await connection.close()
        } catch {
            Issue.record(error)
        }
        await process.stop()
        await process.stop()
        #expect(await !process.isRunning)
        process.directory.remove()
        await server.stop()
    }
}

/// Master-worker mode, as Debian's service runs HAProxy.
@Suite("Master-worker HAProxy", .serialized)
struct MasterWorkerTests {
    static var spec: LabSpec {
        var spec = LabSpec.demo
        spec.masterWorker = true
        spec.tcpStatsSocket = true
        return spec
    }

    @Test("reload: new worker pid, same master, tunnels stay on the old worker until they close")
    func reload() async throws {
        try await withLab(Self.spec) { lab in
            let master = try #require(await lab.haproxy.masterPid)
            let oldWorker = try #require(await lab.haproxy.pid)
            #expect(master != oldWorker)
            #expect(try await lab.haproxy.currentWorkerPid() == oldWorker)
            let tcpPort = try #require(lab.tcpStatsPort)
            #expect(try await LabRuntimeSocket.send("show info", port: tcpPort).contains("Pid: \(oldWorker)"))

            let clients = lab.clients()
            try await clients.open(count: 2, path: "/chat")

            try await lab.haproxy.reload()
            let newWorker = try #require(await lab.haproxy.pid)
            #expect(newWorker != oldWorker)
            #expect(await lab.haproxy.masterPid == master)
            let processes = try await lab.haproxy.processList()
            #expect(processes.workers == [newWorker])
            #expect(processes.oldWorkers.contains(oldWorker))
            #expect(try await lab.runtime("show info").contains("Pid: \(newWorker)"))

            // The old worker still carries the tunnels.
            #expect(try await clients.sendTextAndAwaitEcho("after reload") == "after reload")
            await clients.closeAll()
            try await waitFor { (try? await lab.haproxy.processList().oldWorkers.isEmpty) == true }

            let fresh = lab.clients()
            try await fresh.open(count: 1, path: "/feed")
            try await waitFor { lab.openWebSockets(backend: "ws_feed") == 1 }
        }
    }

    @Test("kill in master-worker mode: master and worker gone, sockets left behind and refusing")
    func kill() async throws {
        try await withLab(Self.spec) { lab in
            let master = try #require(await lab.haproxy.masterPid)
            let worker = try #require(await lab.haproxy.pid)
            #expect(processAlive(master) && processAlive(worker))
            await lab.haproxy.kill()
            #expect(!processAlive(master))
            #expect(!processAlive(worker))
            // A socket closes when its process dies; poll rather than race the kernel.
            let adminPath = try #require(lab.adminSocketPath)
            let masterPath = try #require(lab.masterSocketPath)
            try await waitFor { SocketProbe.unix(path: adminPath) == .refused && SocketProbe.unix(path: masterPath) == .refused }
            #expect(SocketProbe.unix(path: adminPath) == .refused, "\(lab.haproxy.logTail())")
            #expect(SocketProbe.unix(path: masterPath) == .refused)
        }
    }
}

/// Whether `pid` is a live process (not a zombie), read from /proc with plain file reads.
func processAlive(_ pid: Int32) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/stat") else {
        return false
    }
    defer { try? handle.close() }
    let stat = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    guard let close = stat.lastIndex(of: ")") else {
        return false
    }
    let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
    return state != "Z" && state != "X"
}
