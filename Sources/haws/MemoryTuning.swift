#if canImport(Glibc)
import Glibc
#endif

/// glibc allocator settings for a process that re-reads a large HAProxy every second.
///
/// Each poll of 10,000 servers allocates a few megabytes for a moment (the `show stat` answer, the new
/// snapshot, an NDJSON line, a `/metrics` family). With glibc's defaults those blocks stay in the per-thread
/// arenas after they are freed, and the mmap threshold grows until they stop being returned to the system:
/// the agent's resident memory settled 15 MB above what it actually held. One arena and a fixed 128 KB
/// mmap/trim threshold give each large block back when it is freed; measured, the CPU per poll did not
/// change (the pages are faulted in again, but that was already happening as the arenas were trimmed).
///
/// `mallopt` is looked up at run time: `<malloc.h>` is not part of Swift's Glibc module. Without it (another
/// C library) nothing changes.
enum MemoryTuning {
    static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        // <malloc.h>: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3, M_ARENA_MAX -8.
        _ = mallopt(-8, 1)
        _ = mallopt(-3, 128 * 1024)
        _ = mallopt(-1, 128 * 1024)
        #endif
    }
}
