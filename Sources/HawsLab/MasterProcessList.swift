import HawsCore

/// The processes listed by `show proc` on HAProxy's master socket.
///
/// In master-worker mode the worker pid changes on every reload while the master pid stays; tests and haws need
/// the current worker (the one serving) and the old ones (still holding tunnels after a reload).
public struct MasterProcessList: Sendable, Hashable {
    public var masterPid: Int32?
    /// Current workers, normally one.
    public var workers: [Int32]
    /// Workers from before a reload that have not exited yet.
    public var oldWorkers: [Int32]

    public init(masterPid: Int32? = nil, workers: [Int32] = [], oldWorkers: [Int32] = []) {
        self.masterPid = masterPid
        self.workers = workers
        self.oldWorkers = oldWorkers
    }

    /// Parses the text of `show proc` (HAProxy 2.x):
    ///
    ///     #<PID>          <type>          <reloads>       <uptime>        <version>
    ///     9016            master          1 [failed: 0]   0d00h00m04s     2.6.12-1+deb12u4
    ///     # workers
    ///     9110            worker          0               0d00h00m00s     2.6.12-1+deb12u4
    ///     # old workers
    ///     9020            worker          [was: 1]        0d00h00m28s     2.6.12-1+deb12u4
    ///     # programs
    public init(parsing text: String) {
        self.init()
        for entry in ProcListParser.parse(text) {
            let pid = Int32(entry.pid)
            switch (entry.role, entry.isOld) {
            case (.master, _): masterPid = pid
            case (.worker, false): workers.append(pid)
            case (.worker, true): oldWorkers.append(pid)
            case (.program, _): break
            }
        }
    }
}
