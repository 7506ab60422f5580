import NIOConcurrencyHelpers
import NIOCore

/// Family buffers kept between scrapes, so a scrape writes into memory the previous one already touched.
///
/// A 10,000-server scrape is about ten megabytes written into fresh buffers; allocated anew each time, the
/// kernel zero-filled every page again (a fifth of a scrape's CPU in profiles). The HTTP handler gives each
/// piece back once it is sent, and the render waits while 1 MB of the response is queued
/// (``MetricsServerLimits/queuedResponseBytes``), so two or three buffers serve a whole scrape; the pool keeps at
/// most ``byteLimit`` of capacity (2 MB: at 8 MB the agent kept ~2 MB more after its scrapes, for no CPU measured,
/// 16-31 ms a scrape of 10,000 servers either way).
final class ExpositionBufferPool: Sendable {
    static let shared = ExpositionBufferPool(byteLimit: 2 << 20)

    private let byteLimit: Int
    private let buffers = NIOLockedValueBox<[ByteBuffer]>([])
    private static let allocator = ByteBufferAllocator()

    init(byteLimit: Int) {
        self.byteLimit = byteLimit
    }

    /// An empty buffer with room for at least `capacity` bytes: a kept one when there is one big enough.
    func take(capacity: Int) -> ByteBuffer {
        let kept: ByteBuffer? = buffers.withLockedValue { buffers in
            guard let index = buffers.indices.filter({ buffers[$0].capacity >= capacity })
                .min(by: { buffers[$0].capacity < buffers[$1].capacity })
            else { return buffers.popLast() }
            return buffers.remove(at: index)
        }
        guard var buffer = kept else { return Self.allocator.buffer(capacity: capacity) }
        buffer.clear()
        buffer.reserveCapacity(capacity)
        return buffer
    }

    /// Keeps `returned` for later scrapes, up to the byte limit; small buffers are not worth keeping.
    func recycle(_ returned: [ByteBuffer]) {
        buffers.withLockedValue { buffers in
            var held = buffers.reduce(0) { $0 + $1.capacity }
            for buffer in returned where buffer.capacity >= 16 << 10 && held + buffer.capacity <= byteLimit {
                buffers.append(buffer)
                held += buffer.capacity
            }
        }
    }
}
