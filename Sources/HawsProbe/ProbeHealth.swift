#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// Whether one probed object is passing, and since when: the state behind probe failure and recovery events.
///
/// A pure value: ``observe(_:key:at:fall:rise:)`` takes one result and returns the event to publish, if any, so the
/// transition rules are tested without a scheduler. Like HAProxy's `fall`/`rise`, a state changes only after that
/// many consecutive results agree (both 1 by default: probes are already a deliberate, slower signal than checks).
public struct ProbeHealth: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// No result yet.
        case unknown
        case passing
        case failing
    }

    public var state: State
    /// When the current state began (the result that made it so).
    public var since: Date?
    /// Failed results in a row (0 after a pass).
    public var consecutiveFailures: Int
    /// Passed results in a row (0 after a failure).
    public var consecutivePasses: Int
    /// The ``ProbeFailure/code`` of the latest failure while failing.
    public var failureCode: String?

    public init(
        state: State = .unknown,
        since: Date? = nil,
        consecutiveFailures: Int = 0,
        consecutivePasses: Int = 0,
        failureCode: String? = nil
    ) {
        self.state = state
        self.since = since
        self.consecutiveFailures = consecutiveFailures
        self.consecutivePasses = consecutivePasses
        self.failureCode = failureCode
    }

    /// Applies one result and returns the event it causes.
    ///
    /// - A first result that fails, a pass followed by `fall` failures, and a change of failure code while failing
    ///   give ``MonitorEvent/Kind/probeFailure`` (`before`: `passing`, the old code or nil; `after`: the code).
    /// - `rise` passes after failing give ``MonitorEvent/Kind/probeRecovered``.
    /// - A first result that passes gives no event: nothing was wrong before.
    public mutating func observe(
        _ result: ProbeResult,
        key: ProbeKey,
        at time: Date,
        fall: Int = 1,
        rise: Int = 1
    ) -> MonitorEvent? {
        if let failure = result.failure {
            self.consecutiveFailures += 1
            self.consecutivePasses = 0
            let previousCode = self.failureCode
            switch self.state {
            case .failing:
                self.failureCode = failure.code
                guard previousCode != failure.code else {
                    return nil
                }
                return Self.event(.probeFailure, key: key, at: time, before: previousCode, failure: failure)
            case .unknown, .passing:
                guard self.state == .unknown || self.consecutiveFailures >= max(1, fall) else {
                    return nil
                }
                let before = self.state == .passing ? "passing" : nil
                self.state = .failing
                self.since = time
                self.failureCode = failure.code
                return Self.event(.probeFailure, key: key, at: time, before: before, failure: failure)
            }
        }
        self.consecutivePasses += 1
        self.consecutiveFailures = 0
        switch self.state {
        case .passing:
            return nil
        case .unknown:
            self.state = .passing
            self.since = time
            return nil
        case .failing:
            guard self.consecutivePasses >= max(1, rise) else {
                return nil
            }
            let before = self.failureCode
            self.state = .passing
            self.since = time
            self.failureCode = nil
            return MonitorEvent(
                time: time,
                instance: key.instance,
                object: key.object,
                kind: .probeRecovered,
                before: before,
                after: "passing",
                detail: result.target.url
            )
        }
    }

    private static func event(
        _ kind: MonitorEvent.Kind,
        key: ProbeKey,
        at time: Date,
        before: String?,
        failure: ProbeFailure
    ) -> MonitorEvent {
        MonitorEvent(
            time: time,
            instance: key.instance,
            object: key.object,
            kind: kind,
            before: before,
            after: failure.code,
            detail: failure.description
        )
    }
}
