import Dispatch
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Waits for SIGINT/SIGTERM/SIGHUP without a signal handler doing work: the signals are ignored at
/// the process level and delivered through dispatch sources, so cleanup runs as ordinary async code.
final class SignalWaiter: Sendable {
    /// Dispatch sources are thread-safe objects; they are only created in `init` and cancelled in
    /// `deinit`, never mutated in between, which is what makes this `nonisolated(unsafe)` sound.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals { sigaddset(&mask, signal) }
        // A parent (a test harness, a service manager) may have blocked them: unblock.
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal received.
    func next() async -> Int32? {
        for await signal in stream { return signal }
        return nil
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
