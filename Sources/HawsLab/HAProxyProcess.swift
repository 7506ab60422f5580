import Subprocess
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One real HAProxy process (or master plus workers) run from a rendered config, for tests and the demo.
///
/// It is an actor because start, stop, kill and reload change one shared "what is running" state and may be
/// called from several tasks (a test body and its cleanup). The child runs inside swift-subprocess's
/// `run(...) { execution in ... }` in its own task, which also reaps it; Foundation's `Process` is avoided because
/// under Swift Testing it leaked a blocked signal mask into children (see shared notes).
///
/// Readiness is polled against a deadline: the frontend port accepts, every Unix stats socket accepts, and in
/// master-worker mode the master socket accepts. Failures throw a `LabError` carrying the tail of HAProxy's log.
public actor HAProxyProcess {
    /// How to run HAProxy.
    public struct Options: Sendable, Hashable {
        /// The binary; nil finds it with `HAProxyExecutable` (`HAWS_HAPROXY` when set, else /usr/sbin, /usr/local/sbin,
        /// then `PATH`).
        public var executablePath: String?
        /// Runs `haproxy -W -db -S <dir>/master.sock` (as Debian's service does) instead of `haproxy -db`.
        public var masterWorker: Bool
        public var readinessTimeout: Duration
        /// How long SIGTERM may take before SIGKILL.
        public var stopTimeout: Duration
        public var reloadTimeout: Duration

        public init(
            executablePath: String? = nil,
            masterWorker: Bool = false,
            readinessTimeout: Duration = .seconds(10),
            stopTimeout: Duration = .seconds(5),
            reloadTimeout: Duration = .seconds(10)
        ) {
            self.executablePath = executablePath
            self.masterWorker = masterWorker
            self.readinessTimeout = readinessTimeout
            self.stopTimeout = stopTimeout
            self.reloadTimeout = reloadTimeout
        }
    }

    public nonisolated let config: HAProxyConfig
    public nonisolated let options: Options
    public nonisolated let directory: LabDirectory

    /// Where the rendered config is written.
    public nonisolated var configPath: String { self.directory.file("haproxy.cfg") }
    /// HAProxy's stdout and stderr, appended across restarts.
    public nonisolated var logPath: String { self.directory.file("haproxy.log") }
    /// The master CLI socket, in master-worker mode only.
    public nonisolated var masterSocketPath: String? {
        self.options.masterWorker ? self.directory.file("master.sock") : nil
    }

    private var child: RunningChild?
    private var workerPid: Int32?
    private var startCount = 0

    /// - Parameters:
    ///   - config: what to run; its Unix socket paths should live in `directory`.
    ///   - options: how to run it.
    ///   - directory: where config, log and master socket go; a new private temp dir if nil.
    public init(config: HAProxyConfig, options: Options = Options(), directory: LabDirectory? = nil) throws {
        self.config = config
        self.options = options
        self.directory = try directory ?? LabDirectory.create(prefix: "haws-haproxy")
    }

    /// The pid serving traffic: the process itself in plain mode, the current worker in master-worker mode
    /// (as of the last start or reload; see `currentWorkerPid()`). Nil when not running.
    public var pid: Int32? {
        guard let child, !child.hasExited else {
            return nil
        }
        return self.options.masterWorker ? self.workerPid : child.pid
    }

    /// The master's pid in master-worker mode (it survives reloads).
    public var masterPid: Int32? {
        guard self.options.masterWorker, let child, !child.hasExited else {
            return nil
        }
        return child.pid
    }

    /// Whether the launched process is still alive (not yet reaped).
    public var isRunning: Bool {
        guard let child else {
            return false
        }
        return !child.hasExited
    }

    /// The last `lines` lines of HAProxy's log, to show why something failed.
    public nonisolated func logTail(lines: Int = 40) -> String {
        self.directory.tail(of: "haproxy.log", lines: lines)
    }

    /// Validates the config with `haproxy -c`, starts HAProxy and waits until it serves.
    ///
    /// Throws `LabError.Code.addressInUse` when a port was taken in the meantime (retry with fresh ports),
    /// `.invalidConfig` when `haproxy -c` refuses the config, `.startFailed` otherwise. Does nothing if running.
    public func start() async throws {
        if let child, !child.hasExited {
            return
        }
        self.child = nil
        try self.config.validate()
        let executable = try HAProxyExecutable.resolve(explicit: self.options.executablePath)
        try self.directory.write(self.config.rendered(), to: "haproxy.cfg")
        try await Self.checkConfig(executable: executable, configPath: self.configPath)

        for port in self.config.tcpPorts where SocketProbe.tcp(port: port) == .accepted {
            // Readiness polls ports; a port someone else serves would look ready while HAProxy fails to bind.
            throw LabError(.addressInUse, "127.0.0.1:\(port) already accepts connections: another program listens")
        }
        self.startCount += 1
        var arguments = ["-db", "-f", self.configPath]
        if let master = self.masterSocketPath {
            arguments = ["-W", "-db", "-S", master, "-f", self.configPath]
        }
        let log: FileDescriptor
        do {
            log = try FileDescriptor.open(
                FilePath(self.logPath),
                .writeOnly,
                options: [.create, .append],
                permissions: [.ownerReadWrite]
            )
            _ = try log.writeAll(Array("--- haws lab: start #\(self.startCount): \(arguments)\n".utf8))
        } catch {
            throw LabError(.startFailed, "cannot open log \(self.logPath): \(error)")
        }
        let launched = try await RunningChild.launch(executable: executable, arguments: arguments, log: log)
        self.child = launched
        do {
            try await self.waitUntilServing(launched, deadline: self.options.readinessTimeout, what: "start")
            if self.options.masterWorker {
                self.workerPid = try await self.currentWorkerPid()
            }
        } catch {
            await launched.terminate(gracePeriod: .milliseconds(500))
            self.child = nil
            if error is CancellationError {
                throw error
            }
            throw self.classify(error)
        }
    }

    /// Starts HAProxy, runs `body`, then stops it and waits for the reap, whether `body` returned or threw.
    ///
    /// The scoped way to run one HAProxy in a test: a `defer` cannot await `stop()`, and a stop left to the end of
    /// the happy path is skipped by the first failure. It runs on the caller's actor (`nonisolated(nonsending)`), so
    /// `body` need not be `Sendable`.
    public nonisolated(nonsending) func whileRunning<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await self.start()
        let result: Result
        do {
            result = try await body()
        } catch {
            await self.stop()
            throw error
        }
        await self.stop()
        return result
    }

    /// SIGTERM, then SIGKILL after `options.stopTimeout`; always waits until the process is reaped. Idempotent.
    public func stop() async {
        guard let child = self.child else {
            return
        }
        self.child = nil
        self.workerPid = nil
        await child.terminate(gracePeriod: self.options.stopTimeout)
    }

    /// SIGKILL, to simulate a crash: Unix socket files stay behind and refuse connections, as after a real one.
    ///
    /// In master-worker mode the workers are killed first and the master a moment later, so the master reaps
    /// them (orphans would otherwise wait for an init that, in some containers, never reaps).
    public func kill() async {
        guard let child = self.child else {
            return
        }
        let cachedWorker = self.workerPid
        self.child = nil
        self.workerPid = nil
        guard self.options.masterWorker, !child.hasExited else {
            await child.terminate(gracePeriod: .zero)
            return
        }
        var workers = Set(cachedWorker.map { [$0] } ?? [])
        if let list = try? await self.processList(timeout: .seconds(1)) {
            workers.formUnion(list.workers + list.oldWorkers)
        }
        for worker in workers {
            _ = Self.signal(worker, SIGKILL)
        }
        _ = try? await Polling.until(timeout: .seconds(2)) {
            workers.allSatisfy { !Self.processExists($0) }
        }
        await child.terminate(gracePeriod: .zero)
        // A worker the master had not reaped yet is gone only once it is a zombie; wait for that too.
        _ = try? await Polling.until(timeout: .seconds(2)) {
            workers.allSatisfy { !Self.processExists($0) }
        }
    }

    /// Stops (if running) and starts again with the same config and ports.
    public func restart() async throws {
        await self.stop()
        try await self.start()
    }

    /// Reloads a master-worker HAProxy (SIGUSR2 to the master) and waits until a new worker serves.
    ///
    /// Tunnels stay on the old worker until they close, as in production.
    public func reload() async throws {
        guard self.options.masterWorker else {
            throw LabError(.notMasterWorker, "reload needs master-worker mode (Options.masterWorker)")
        }
        guard let child = self.child, !child.hasExited else {
            throw LabError(.notRunning, "HAProxy is not running")
        }
        let before = try await self.currentWorkerPid()
        guard Self.signal(child.pid, SIGUSR2) else {
            throw LabError(.reloadFailed, "cannot signal master \(child.pid)")
        }
        var newWorker: Int32?
        let replaced = try await Polling.until(timeout: self.options.reloadTimeout, interval: .milliseconds(50)) {
            guard let list = try? await self.queryProcessList(timeout: .seconds(1)), let current = list.workers.first,
                current != before
            else {
                return false
            }
            newWorker = current
            return true
        }
        guard replaced, let newWorker else {
            throw LabError(
                .reloadFailed,
                "no new worker replaced \(before) within \(self.options.reloadTimeout)\n\(self.logTail())"
            )
        }
        do {
            try await self.waitUntilServing(child, deadline: self.options.reloadTimeout, what: "reload")
        } catch {
            throw LabError(.reloadFailed, "\(error)")
        }
        self.workerPid = newWorker
    }

    /// The current worker's pid: the process itself in plain mode; from `show proc` in master-worker mode.
    public func currentWorkerPid() async throws -> Int32 {
        guard let child = self.child, !child.hasExited else {
            throw LabError(.notRunning, "HAProxy is not running")
        }
        guard self.options.masterWorker else {
            return child.pid
        }
        guard let worker = try await self.processList().workers.first else {
            throw LabError(.startFailed, "show proc lists no current worker")
        }
        return worker
    }

    /// `show proc` from the master socket, retried for up to `timeout`: the master closes its socket while it
    /// re-executes itself (after startup and on reload).
    public func processList(timeout: Duration = .seconds(3)) async throws -> MasterProcessList {
        var lastError: any Error = LabError(.timeout, "show proc did not answer within \(timeout)")
        var list: MasterProcessList?
        _ = try await Polling.until(timeout: timeout, interval: .milliseconds(50)) {
            do {
                list = try await self.queryProcessList(timeout: .seconds(1))
                return true
            } catch let error as LabError where error.code == .notMasterWorker {
                throw error
            } catch {
                lastError = error
                return false
            }
        }
        guard let list else {
            throw lastError
        }
        return list
    }

    /// One `show proc` attempt.
    private func queryProcessList(timeout: Duration) async throws -> MasterProcessList {
        guard let master = self.masterSocketPath else {
            throw LabError(.notMasterWorker, "show proc needs master-worker mode")
        }
        let answer = try await LabRuntimeSocket.send("show proc", unixSocketPath: master, timeout: timeout)
        let list = MasterProcessList(parsing: answer)
        guard list.masterPid != nil else {
            throw LabError(.socketFailed, "unexpected show proc answer: \(answer)")
        }
        return list
    }

    /// Runs `haproxy -c` on `config` in a throwaway directory: the same check `start()` makes, without starting.
    public static func check(_ config: HAProxyConfig, executablePath: String? = nil) async throws {
        try config.validate()
        let executable = try HAProxyExecutable.resolve(explicit: executablePath)
        let directory = try LabDirectory.create(prefix: "haws-check")
        defer { directory.remove() }
        try directory.write(config.rendered(), to: "haproxy.cfg")
        try await checkConfig(executable: executable, configPath: directory.file("haproxy.cfg"))
    }

    // MARK: - Internals

    /// Polls until HAProxy itself serves: every TCP port and Unix socket accepts, a stats socket answers
    /// `show info` (so the listener is HAProxy, not a program that took the port), and in master-worker mode
    /// `show proc` lists a worker (the 2.6 master re-executes itself after startup, closing its socket briefly).
    private func waitUntilServing(_ child: RunningChild, deadline: Duration, what: String) async throws {
        let frontendPort = self.config.frontend.bindPort
        let tcpPorts = self.config.tcpPorts
        let statsSockets = self.config.unixStatsSocketPaths
        let unixSockets = statsSockets + (self.masterSocketPath.map { [$0] } ?? [])
        let masterWorker = self.options.masterWorker
        var lastWaitingFor = ""
        let ready = try await Polling.until(timeout: deadline) {
            if child.hasExited {
                throw LabError(.startFailed, "HAProxy exited during \(what)")
            }
            for port in tcpPorts where SocketProbe.tcp(port: port) != .accepted {
                lastWaitingFor = port == frontendPort ? "frontend port \(port)" : "TCP stats socket \(port)"
                return false
            }
            for path in unixSockets where SocketProbe.unix(path: path) != .accepted {
                lastWaitingFor = "Unix socket \(path)"
                return false
            }
            if let statsSocket = statsSockets.first {
                let info = try? await LabRuntimeSocket.send(
                    "show info",
                    unixSocketPath: statsSocket,
                    timeout: .seconds(1)
                )
                guard let info, info.contains("Pid:") else {
                    lastWaitingFor = "show info on \(statsSocket)"
                    return false
                }
            }
            if masterWorker {
                guard let list = try? await self.queryProcessList(timeout: .seconds(1)), !list.workers.isEmpty else {
                    lastWaitingFor = "a worker in show proc"
                    return false
                }
            }
            return !child.hasExited
        }
        if !ready {
            throw LabError(
                .startFailed,
                "HAProxy not ready after \(what) within \(deadline): still waiting for \(lastWaitingFor)"
            )
        }
    }

    /// Adds the log tail and recognises "cannot bind" so callers can retry with fresh ports.
    private func classify(_ error: any Error) -> LabError {
        // Only this run's part of the log: the file is appended to across restarts and retries.
        var tail = self.logTail(lines: 60)
        if let marker = tail.ranges(of: "--- haws lab: start #").last {
            tail = String(tail[marker.lowerBound...])
        }
        if tail.contains("cannot bind socket") || tail.contains("Address already in use") {
            return LabError(.addressInUse, "HAProxy could not bind a port: \(error)\n\(tail)")
        }
        if let labError = error as? LabError {
            return LabError(labError.code, "\(labError.detail)\n--- HAProxy log (\(self.logPath)) ---\n\(tail)")
        }
        return LabError(.startFailed, "\(error)\n--- HAProxy log (\(self.logPath)) ---\n\(tail)")
    }

    private static func checkConfig(executable: String, configPath: String) async throws {
        let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .path(FilePath(executable)),
                arguments: ["-c", "-f", configPath],
                output: .string(limit: 256 * 1024),
                error: .string(limit: 256 * 1024)
            )
        } catch {
            throw LabError(.executableNotFound, "cannot run \(executable) -c: \(error)")
        }
        guard result.terminationStatus.isSuccess else {
            let output = result.standardOutput + result.standardError
            throw LabError(.invalidConfig, "haproxy -c -f \(configPath) failed:\n\(output)")
        }
    }

    static func signal(_ pid: Int32, _ signal: Int32) -> Bool {
        #if canImport(Glibc)
        Glibc.kill(pid, signal) == 0
        #else
        Darwin.kill(pid, signal) == 0
        #endif
    }

    /// Whether `pid` is alive and not a zombie (a zombie has exited; it only waits for its parent to reap it).
    static func processExists(_ pid: Int32) -> Bool {
        guard signal(pid, 0) || errno == EPERM else {
            return false
        }
        #if os(Linux)
        guard let file = fopen("/proc/\(pid)/stat", "r") else {
            return false
        }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else {
            return false
        }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Format: "pid (comm) S ...": the state follows the last ')'.
        guard let close = line.lastIndex(of: ")") else {
            return true
        }
        let state = line[line.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
        #else
        return true
        #endif
    }
}
