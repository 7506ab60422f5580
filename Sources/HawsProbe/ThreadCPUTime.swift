#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`): what the probe budget counts.
///
/// The budget counts the work probing does itself, not the process's: the prober's event loop (sockets, TLS,
/// parsing; a thread that does nothing else) and the scheduler's own bookkeeping, read on the thread that did it.
/// Process CPU would also count polls, scrapes and drawing, and a budget for probes must not shrink when a scrape
/// gets slower.
public enum ThreadCPUTime {
    /// The calling thread's CPU time so far.
    public static func now() -> Duration {
        var spec = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0 else {
            return .zero
        }
        return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
    }
}
