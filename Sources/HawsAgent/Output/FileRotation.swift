/// Size-based rotation of the NDJSON file, for hosts without logrotate (`--rotate-size 100MB --rotate-keep 5`).
///
/// Before a line would take the file past `maxBytes`, the file becomes `FILE.1`, `FILE.1` becomes `FILE.2`,
/// and so on; `FILE.<keep>` is deleted. A line is never split across two files. With logrotate, leave this
/// off and send SIGHUP after rotating instead.
public struct FileRotation: Sendable, Hashable {
    public var maxBytes: Int64
    /// How many rotated files to keep (`FILE.1` ... `FILE.<keep>`); 0 deletes the full file.
    public var keep: Int

    /// The largest ``keep`` accepted: each rotation renames every kept file, so a huge count would stall the agent
    /// for hours on one rotation.
    public static let maximumKeep = 1_000

    public init(maxBytes: Int64, keep: Int = 5) {
        self.maxBytes = maxBytes
        self.keep = keep
    }

    /// Whether a line of `lineBytes` must go to a fresh file. A line alone larger than the limit is written
    /// to an empty file anyway: dropping it would lose data, splitting it would tear it.
    public func needsRotation(currentSize: Int64, lineBytes: Int) -> Bool {
        currentSize > 0 && currentSize + Int64(lineBytes) > maxBytes
    }

    /// The steps of one rotation of `path`, in order.
    public func steps(for path: String) -> [Step] {
        guard keep > 0 else { return [.remove(path)] }
        var steps: [Step] = [.remove("\(path).\(keep)")]
        for index in stride(from: keep - 1, through: 1, by: -1) {
            steps.append(.rename(from: "\(path).\(index)", to: "\(path).\(index + 1)"))
        }
        steps.append(.rename(from: path, to: "\(path).1"))
        return steps
    }

    public enum Step: Sendable, Hashable {
        case remove(String)
        case rename(from: String, to: String)
    }
}
