import CNcurses

/// The dashboard's memory settings for glibc's allocator.
public enum ProcessHeap {
    /// At most two malloc heaps; call first, before other threads allocate.
    ///
    /// Each poll at 10,000 servers allocates and frees a few MB (the 2 MB CSV, a snapshot) on whichever
    /// thread runs it, and glibc gives each thread a heap of its own (up to 8 per core) that keeps what was
    /// freed in it: peak RSS 76-85 MB at 10,000 servers, 59-64 MB with two heaps, at the same CPU. (Also
    /// mapping every block from 128 KiB up saved a few MB more but cost page faults on every poll.)
    public static func bound() {
        haws_limit_arenas(2)
    }
}
