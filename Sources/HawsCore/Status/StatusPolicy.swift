/// What `haws status` considers a problem and how bad: the defaults a demanding operator expects,
/// each overridable from the command line.
public struct StatusPolicy: Sendable, Hashable {
    /// A server whose checks say DOWN (admin ready or drain). Default WARNING.
    public var serverDown: Severity = .warning
    /// A server in DRAIN: listed, OK by default (a drain is usually deliberate).
    public var serverDrain: Severity = .ok
    /// A server in MAINT: listed, OK by default.
    public var serverMaint: Severity = .ok
    /// A backend with servers but none alive outside maintenance. Default CRITICAL.
    public var backendNoServerUp: Severity = .critical
    /// Session use vs. a limit HAProxy enforces, in percent: an instance's `CurrConns` vs `Maxconn` (global
    /// `maxconn`), a frontend's `scur` vs `slim` (its `maxconn`), a server's `scur` vs `slim` (its `maxconn`). A
    /// backend's `slim` is its `fullconn`, not a limit, and is never compared.
    public var sessionsWarningPercent: Double? = 80
    public var sessionsCriticalPercent: Double? = 95
    /// A server whose RFC 6455 probe fails while HAProxy says it is up (and a frontend URL whose probe through
    /// HAProxy fails). Default WARNING: HAProxy still sends it clients that cannot connect.
    public var probeFailure: Severity = .warning
    /// A backend with probed servers of which none passes. Default CRITICAL: no client can connect through it.
    public var backendNoProbePassing: Severity = .critical

    public init() {}

    /// The severity of a session use, or `nil` when under both thresholds or no limit is known.
    public func sessionSeverity(current: Int, limit: Int?) -> Severity? {
        guard let limit, limit > 0 else { return nil }
        let percent = Double(current) * 100 / Double(limit)
        if let critical = sessionsCriticalPercent, percent >= critical { return .critical }
        if let warning = sessionsWarningPercent, percent >= warning { return .warning }
        return nil
    }
}
