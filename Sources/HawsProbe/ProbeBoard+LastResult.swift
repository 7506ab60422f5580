#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ProbeBoard.Entry {
    /// The last ``ProbeResult`` as an entry keeps it: 10,000 entries hold one each for as long as haws runs, so the
    /// stored form is a third of the result's 424 bytes inline.
    ///
    /// - the target is left out when it is the entry's own (always, except for a result from before the address
    ///   changed): ~130 bytes, and the entry already holds it;
    /// - the connected address is left out when it is the target's `host:port` (a server probed by IP): a string
    ///   of 16 bytes and more is a heap allocation of its own;
    /// - the phases are nanoseconds (``ProbeTimings`` spends 24 bytes on each optional `Duration`), exact for the
    ///   clocks probes are timed with;
    /// - a failure, rare, is boxed.
    ///
    /// ``result(entryTarget:)`` gives the very result back: tests and readers see no difference.
    struct LastResult: Sendable {
        private static let absent = Int64.min

        private let phases: SIMD8<Int64>
        private let failure: Shared<ProbeFailure>?
        private let otherTarget: Shared<ProbeTarget>?
        private let remoteAddress: String?
        private let extensions: [String]
        private let subprotocol: String?
        private let startedAt: Date
        private let finishedAt: Date
        private let httpStatus: Int32
        private let mode: ProbeOptions.Mode
        private let remoteIsAuthority: Bool

        init(_ result: ProbeResult, entryTarget: ProbeTarget?) {
            var phases = SIMD8<Int64>(repeating: Self.absent)
            for (lane, phase) in ProbePhase.allCases.enumerated() {
                if let latency = result.timings[phase] {
                    phases[lane] = Self.nanoseconds(latency)
                }
            }
            phases[RecentProbes.totalLane] = Self.nanoseconds(result.timings.total)
            self.phases = phases
            self.failure = result.failure.map(Shared.init)
            self.otherTarget = result.target == entryTarget ? nil : Shared(result.target)
            self.remoteIsAuthority = result.remoteAddress == result.target.authority
            self.remoteAddress = self.remoteIsAuthority ? nil : result.remoteAddress
            self.extensions = result.extensions
            self.subprotocol = result.subprotocol
            self.startedAt = result.startedAt
            self.finishedAt = result.finishedAt
            self.httpStatus = result.httpStatus.map { Int32(clamping: $0) } ?? Int32.min
            self.mode = result.mode
        }

        /// The same record for an entry whose target becomes `newTarget`: the result keeps the target it was of.
        func keeping(_ oldTarget: ProbeTarget?, for newTarget: ProbeTarget?) -> LastResult {
            guard self.otherTarget == nil, let oldTarget, oldTarget != newTarget else {
                return self
            }
            return LastResult(self.result(entryTarget: oldTarget), entryTarget: newTarget)
        }

        /// The target the result is of.
        func target(entryTarget: ProbeTarget?) -> ProbeTarget? {
            self.otherTarget?.value ?? entryTarget
        }

        /// Whether the result passed, without rebuilding it.
        var passed: Bool { self.failure == nil }

        /// The result as it was recorded, for an entry whose target is `entryTarget`.
        func result(entryTarget: ProbeTarget?) -> ProbeResult {
            // An entry without a target always keeps the result's own (see `init`).
            let target = self.otherTarget?.value ?? entryTarget ?? ProbeTarget(host: "", port: 0)
            func duration(_ lane: Int) -> Duration? {
                self.phases[lane] == Self.absent ? nil : .nanoseconds(self.phases[lane])
            }
            var timings = ProbeTimings(total: duration(RecentProbes.totalLane) ?? .zero)
            for (lane, phase) in ProbePhase.allCases.enumerated() {
                timings[phase] = duration(lane)
            }
            return ProbeResult(
                target: target,
                mode: self.mode,
                failure: self.failure?.value,
                timings: timings,
                httpStatus: self.httpStatus == Int32.min ? nil : Int(self.httpStatus),
                subprotocol: self.subprotocol,
                extensions: self.extensions,
                remoteAddress: self.remoteIsAuthority ? target.authority : self.remoteAddress,
                startedAt: self.startedAt,
                finishedAt: self.finishedAt
            )
        }

        private static func nanoseconds(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
        }
    }
}
