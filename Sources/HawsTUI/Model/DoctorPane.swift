#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsDoctor

/// The doctor overlay's model (`D`): the latest report on the instances and `--doctor-config`, and where it is
/// scrolled to.
///
/// Reports are made off the UI loop (``Effect/runDoctor``, answered by ``Action/doctor(_:at:)``): on each open of the
/// overlay, then on the engine snapshots while it stays open, one run at a time and at most every
/// ``refreshInterval``, so the live findings follow the instance and an edited configuration file is re-read.
public struct DoctorPane: Sendable {
    /// A report costs about 30 ms of CPU at 10,000 servers (release build, `haws top --bench-frames` with
    /// `--doctor-config`): every 2 s is 1.5 % of a core, and only while the overlay is open.
    public static let refreshInterval: TimeInterval = 2

    /// The latest report; nil until the first run comes back.
    public var report: DoctorReport?
    public var updatedAt: Date?
    /// A run is under way: snapshots that arrive meanwhile start no other.
    public var running = false
    /// The first line of the findings shown.
    public var scroll = 0

    public init(report: DoctorReport? = nil, updatedAt: Date? = nil) {
        self.report = report
        self.updatedAt = updatedAt
    }
}
