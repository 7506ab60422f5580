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
        enum Section { case master, workers, oldWorkers, other }
        var section = Section.master
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.hasPrefix("#") {
                let title = line.dropFirst().trimmingCharacters(in: " \t").lowercased()
                switch title {
                case "workers": section = .workers
                case "old workers": section = .oldWorkers
                case let header where header.hasPrefix("<pid>"): section = .master
                default: section = .other
                }
                continue
            }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let pid = Int32(fields[0]) else {
                continue
            }
            let type = fields[1]
            switch section {
            case .master where type == "master": self.masterPid = pid
            case .workers where type == "worker": self.workers.append(pid)
            case .oldWorkers where type == "worker": self.oldWorkers.append(pid)
            default: break
            }
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) {
            slice = slice.dropFirst()
        }
        while let last = slice.last, set.contains(last) {
            slice = slice.dropLast()
        }
        return String(slice)
    }
}
