import HawsCore
import NIOConcurrencyHelpers

/// How `show sess all` is read: at a bounded byte rate, within a deadline derived from its expected size.
///
/// HAProxy writes a dump as fast as it is read, its threads paused while it fills each buffer: 154 MB at
/// 100,000 streams in about 1.2 s when read flat out, with HAProxy's thread and haws's scanner each on a core
/// for that second, so an HTTP request arriving meanwhile waited. Read at ``rate``, HAProxy's CLI writes the
/// same dump in short bursts as the socket drains: the same CPU, spread over a few seconds.
struct SessionDumpPace: Sendable, Hashable {
    /// The rate dumps are read at.
    var rate: ReadRate

    /// 32 MB/s: 154 MB (100,000 streams) in 4.8 s, 31 MB (20,000) in 1 s. Measured at 100,000 h2 tunnels
    /// against 16 and 64 MB/s and against 64 KB reads: all kept the HTTP p99 within noise of no dump at all
    /// (Scripts/BENCHMARKS.md, tunnels); 32 MB/s keeps `haws status --tunnel-ages` inside its default 5 s.
    static let standard = SessionDumpPace(rate: ReadRate(bytesPerSecond: 32e6))

    /// HAProxy's write rate of an unpaced dump (154 MB in 1.2 s on 2.6.12 on the 2-core lab machine): what a
    /// dump read at ``rate`` is charged with, its wall time being the pace's rather than HAProxy's.
    static let haproxyWriteRate = ReadRate(bytesPerSecond: 128e6)

    /// Bytes per listed stream before a dump was read: 1,545 at 100,000 h2 tunnels on 2.6.12 and 3.0.11.
    static let defaultBytesPerStream = 1_600

    /// The dump's expected size: the streams the counters show (``InstanceSnapshot/streamsAtLeast``) times
    /// the last dump's bytes per stream; the last dump's size when the counters are not known yet.
    static func expectedBytes(streams: Int?, lastDump: SessionDumpCost?) -> Int {
        guard let streams else { return lastDump?.bytes ?? 0 }
        let perStream = lastDump.flatMap { $0.streams > 0 ? $0.bytes / $0.streams : nil } ?? defaultBytesPerStream
        return streams * max(perStream, 1)
    }

    /// The deadline of one dump call: `timeout`, or twice the expected dump's paced duration when longer (HAProxy
    /// writes four times faster than ``rate`` when not loaded, so a dump lags its pace only on a busy HAProxy).
    func timeout(expectedBytes: Int, atLeast timeout: Duration) -> Duration {
        max(timeout, rate.duration(of: expectedBytes) * 2)
    }

    /// The pace of a dump that must end within `left` (a one-shot read's deadline): ``rate``, or faster when
    /// the expected dump would not fit into four fifths of `left` at that rate.
    func fitting(expectedBytes: Int, within left: Duration) -> SessionDumpPace {
        guard left > .zero else { return self }
        let needed = Double(expectedBytes) / (left.seconds * 0.8)
        return needed > rate.bytesPerSecond ? SessionDumpPace(rate: ReadRate(bytesPerSecond: needed)) : self
    }

    /// HAProxy's time on a dump of `bytes` whose read took `wall` and held its reads for `held`: the time the
    /// read waited on HAProxy (or on its own scanning), and at least the time HAProxy takes to write that many
    /// bytes unpaced. A HAProxy slower than the pace is never waited for by the reader, and its full time shows.
    static func haproxySeconds(wall: Duration, held: Duration, bytes: Int) -> Double {
        max((wall - held).seconds, haproxyWriteRate.duration(of: bytes).seconds)
    }
}

/// What the next dump of one instance is expected to be: the streams the last stats poll counted and what the
/// last dump cost. Shared by copies of an ``InstanceReader``.
final class SessionDumpSizing: Sendable {
    private struct State {
        var streams: Int?
        var lastDump: SessionDumpCost?
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    /// Whether neither the counters nor a dump have been seen.
    var isUnknown: Bool { state.withLockedValue { $0.streams == nil && $0.lastDump == nil } }

    func counted(streams: Int?) {
        state.withLockedValue { $0.streams = streams }
    }

    func dumped(_ cost: SessionDumpCost) {
        state.withLockedValue { $0.lastDump = cost }
    }

    var expectedBytes: Int {
        state.withLockedValue { SessionDumpPace.expectedBytes(streams: $0.streams, lastDump: $0.lastDump) }
    }
}
