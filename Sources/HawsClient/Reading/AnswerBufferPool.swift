import NIOConcurrencyHelpers

/// The `show stat` answer buffers of one instance: the last answer's size, and one spare buffer to read the
/// next answer into.
///
/// At 10,000 servers an answer is 2.2 MB. A fresh array of that size is mapped fresh from the kernel (haws
/// maps blocks over 128 KB, so a freed poll's memory goes back to the system), and its 550 pages were
/// faulted in and zeroed on every poll: 8% of `haws top`'s CPU in `perf`. The buffer of an answer whose
/// snapshot is gone comes back here instead (``StatsText``'s release hook) and receives the next one.
/// One spare is enough: the engine keeps one snapshot, and the dashboard the one before it for a moment.
final class AnswerBufferPool: Sendable {
    private struct State {
        var lastSize = 0
        var spare: [UInt8]?
    }

    private let state = NIOLockedValueBox(State())
    /// Buffers larger than this are let go rather than kept as the spare.
    let largestKept: Int

    init(largestKept: Int = 64 << 20) {
        self.largestKept = largestKept
    }

    /// A buffer for the next answer, empty, with room for the last answer's size and a sixteenth more.
    ///
    /// The spare is moved out, never copied: a second reference to it would make the first append copy the
    /// whole buffer into a new one, which is the cost this pool exists to avoid.
    func take() -> [UInt8] {
        var spare: [UInt8]?
        let wanted = state.withLockedValue { state in
            spare = state.spare.take()
            return max(state.lastSize + state.lastSize / 16, 1 << 16)
        }
        if let capacity = spare?.capacity, capacity >= wanted {
            spare!.removeAll(keepingCapacity: true)
            return spare.take()!
        }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(wanted)
        return fresh
    }

    /// Remembers the size of an answer just read.
    func answered(size: Int) {
        state.withLockedValue { $0.lastSize = size }
    }

    /// Keeps `buffer` (an answer no row uses any more) as the spare, unless one is kept already.
    func give(_ buffer: [UInt8]) {
        guard buffer.capacity <= largestKept else { return }
        state.withLockedValue { state in
            if state.spare == nil { state.spare = buffer }
        }
    }

    /// Whether a spare buffer is kept (for tests).
    var hasSpare: Bool { state.withLockedValue { $0.spare != nil } }
}
