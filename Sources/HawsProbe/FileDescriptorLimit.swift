#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raises the soft `RLIMIT_NOFILE` to the hard limit, once per process.
///
/// Every in-flight probe holds a socket, and Debian's default soft limit (1024) is below what a few hundred
/// concurrent probes plus the monitor's own connections need; the hard limit is usually far higher and raising the
/// soft limit up to it needs no privilege.
public enum FileDescriptorLimit {
    /// The soft and hard limits after the attempt.
    public struct Limits: Sendable, Hashable {
        public var soft: UInt64
        public var hard: UInt64
    }

    /// Raises the soft limit (only the first call does anything) and returns the limits now in force, or `nil` when
    /// they cannot be read.
    @discardableResult
    public static func raiseSoftLimitToHard() -> Limits? {
        Self.raised
    }

    private static let raised: Limits? = {
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else {
            return nil
        }
        var target = limit.rlim_max
        #if canImport(Darwin)
        // macOS refuses a soft limit above OPEN_MAX even when the hard limit is "unlimited".
        target = min(target, rlim_t(OPEN_MAX))
        #endif
        if limit.rlim_cur < target {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(Self.resource, &raised) == 0 {
                limit = raised
            }
        }
        return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }()

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    /// The current limits, without changing them.
    public static func current() -> Limits? {
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else {
            return nil
        }
        return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }
}
