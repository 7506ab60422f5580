#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The outcome of one probe: the verdict, where the time went, and what the server agreed to.
///
/// A value (Codable, Sendable) so it can cross into the monitor's actor, feed ``ProbeStatistics`` and be printed as
/// JSON by `haws probe --json` unchanged.
public struct ProbeResult: Sendable, Hashable {
    public var target: ProbeTarget
    public var mode: ProbeOptions.Mode
    /// `nil` when the probe passed.
    public var failure: ProbeFailure?
    public var timings: ProbeTimings
    /// The HTTP status of the upgrade response (101 on success), if one arrived.
    public var httpStatus: Int?
    /// The subprotocol the server selected, if any.
    public var subprotocol: String?
    /// The extensions the server enabled.
    public var extensions: [String]
    /// The address connected to (`127.0.0.1:8080`), useful when the target was a name.
    public var remoteAddress: String?
    /// Wall-clock start, to line results up with HAProxy's logs.
    public var startedAt: Date
    /// Wall-clock end.
    public var finishedAt: Date

    public init(
        target: ProbeTarget,
        mode: ProbeOptions.Mode,
        failure: ProbeFailure?,
        timings: ProbeTimings,
        httpStatus: Int? = nil,
        subprotocol: String? = nil,
        extensions: [String] = [],
        remoteAddress: String? = nil,
        startedAt: Date,
        finishedAt: Date
    ) {
        self.target = target
        self.mode = mode
        self.failure = failure
        self.timings = timings
        self.httpStatus = httpStatus
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.remoteAddress = remoteAddress
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Whether every check of the chosen mode passed.
    public var passed: Bool { self.failure == nil }
}

// JSON keeps `passed` (derived) for readers that do not want to test `failure` for null, and writes explicit nulls.
extension ProbeResult: Codable {
    enum CodingKeys: String, CodingKey {
        case target, mode, passed, failure, timings, httpStatus, subprotocol, extensions, remoteAddress
        case startedAt, finishedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.target, forKey: .target)
        try c.encode(self.mode, forKey: .mode)
        try c.encode(self.passed, forKey: .passed)
        try c.encode(self.failure, forKey: .failure)
        try c.encode(self.timings, forKey: .timings)
        try c.encode(self.httpStatus, forKey: .httpStatus)
        try c.encode(self.subprotocol, forKey: .subprotocol)
        try c.encode(self.extensions, forKey: .extensions)
        try c.encode(self.remoteAddress, forKey: .remoteAddress)
        try c.encode(self.startedAt, forKey: .startedAt)
        try c.encode(self.finishedAt, forKey: .finishedAt)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            target: try c.decode(ProbeTarget.self, forKey: .target),
            mode: try c.decode(ProbeOptions.Mode.self, forKey: .mode),
            failure: try c.decodeIfPresent(ProbeFailure.self, forKey: .failure),
            timings: try c.decode(ProbeTimings.self, forKey: .timings),
            httpStatus: try c.decodeIfPresent(Int.self, forKey: .httpStatus),
            subprotocol: try c.decodeIfPresent(String.self, forKey: .subprotocol),
            extensions: try c.decodeIfPresent([String].self, forKey: .extensions) ?? [],
            remoteAddress: try c.decodeIfPresent(String.self, forKey: .remoteAddress),
            startedAt: try c.decode(Date.self, forKey: .startedAt),
            finishedAt: try c.decode(Date.self, forKey: .finishedAt)
        )
    }
}
