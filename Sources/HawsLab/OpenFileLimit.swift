#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raises this process's soft limit on open files to the hard limit, once.
///
/// Hundreds of lab clients plus the backends' ends of the same connections live in one test process; a soft
/// limit of 1024 (common default) would fail them with EMFILE long before HAProxy's `maxconn` matters.
enum OpenFileLimit {
    /// `static let` initialisation runs exactly once, thread-safely.
    private static let raised: Bool = {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else {
            return false
        }
        limit.rlim_cur = limit.rlim_max
        return setrlimit(resource, &limit) == 0
    }()

    /// Raises the limit if it has not been raised yet.
    static func raiseToHardLimit() {
        _ = raised
    }
}
