import CNcurses

/// The dashboard's memory settings for glibc's allocator.
public enum ProcessHeap {
    /// Keeps glibc from holding on to freed memory; call first, before other threads allocate.
    ///
    /// Each poll at 10,000 servers allocates and frees a few MB (the 2 MB CSV, a snapshot). By default
    /// that lands in one heap per thread (up to 8 per core) and, once a big block has been freed, below a
    /// raised mmap threshold, so freed memory stayed in the process: peak RSS 76-85 MB at 10,000 servers.
    /// Two heaps, and blocks from 128 KiB up always mapped (returned to the kernel on free): 59 MB, for a
    /// few system calls per poll.
    public static func bound() {
        haws_bound_heap(128 * 1024)
    }
}
