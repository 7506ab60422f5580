import NIOCore

/// A batch of probes driven from one event loop: at most `concurrency` in flight, each next probe started from the
/// completion of the previous one, results in the order of the targets.
///
/// No Swift task per probe: a child task, its group bookkeeping and the continuation that resumes it cost about a
/// tenth of a probe's user CPU (`perf` of `haws probe --count`). Here a probe is its connection's callbacks and two
/// promises, and the caller awaits once, for the whole batch. Lives on `eventLoop` only.
final class ProbeBatch {
    /// Starts probe `index` on the batch's loop; the future always succeeds. `cancellation` stops that probe.
    typealias Start = (_ index: Int, _ cancellation: EventLoopFuture<Void>) -> EventLoopFuture<ProbeResult>

    private let eventLoop: any EventLoop
    private let concurrency: Int
    /// Upper bound of each probe's random start delay, in nanoseconds; 0 starts at once.
    private let jitterNanoseconds: Int64
    private let start: Start
    /// The result of a probe the batch never started because it was cancelled.
    private let notStarted: (Int) -> ProbeResult
    private var results: [ProbeResult?]
    private var next = 0
    private var finished = 0
    /// The cancellation promise of every probe started and not yet finished.
    private var inFlight: [Int: EventLoopPromise<Void>] = [:]
    private var cancelled = false
    private let done: EventLoopPromise<[ProbeResult]>

    init(
        count: Int, concurrency: Int, jitterNanoseconds: Int64, eventLoop: any EventLoop,
        start: @escaping Start, notStarted: @escaping (Int) -> ProbeResult
    ) {
        eventLoop.preconditionInEventLoop()
        self.eventLoop = eventLoop
        self.concurrency = max(1, concurrency)
        self.jitterNanoseconds = jitterNanoseconds
        self.start = start
        self.notStarted = notStarted
        self.results = [ProbeResult?](repeating: nil, count: count)
        self.done = eventLoop.makePromise(of: [ProbeResult].self)
    }

    /// Starts the first probes; the future has every result once the last probe has finished (and closed its
    /// socket). `cancellation` stops the probes in flight (they finish as ``ProbeFailure/cancelled``) and the rest
    /// are not started.
    func run(cancellation: EventLoopFuture<Void>) -> EventLoopFuture<[ProbeResult]> {
        if self.results.isEmpty {
            self.done.succeed([])
            return self.done.futureResult
        }
        cancellation.assumeIsolated().whenSuccess {
            self.cancel()
        }
        for _ in 0..<min(self.concurrency, self.results.count) {
            self.startNext()
        }
        return self.done.futureResult
    }

    private func startNext() {
        guard self.next < self.results.count else {
            return
        }
        let index = self.next
        self.next += 1
        if self.jitterNanoseconds > 0 {
            let delay = TimeAmount.nanoseconds(Int64.random(in: 0..<self.jitterNanoseconds))
            self.eventLoop.assumeIsolated().scheduleTask(in: delay) { self.launch(index) }
        } else {
            self.launch(index)
        }
    }

    private func launch(_ index: Int) {
        if self.cancelled {
            self.finish(index, self.notStarted(index))
            return
        }
        let cancellation = self.eventLoop.makePromise(of: Void.self)
        self.inFlight[index] = cancellation
        self.start(index, cancellation.futureResult).assumeIsolated().whenSuccess { result in
            // Completes the probe's cancellation promise; NIO flags promises dropped unfulfilled.
            self.inFlight.removeValue(forKey: index)?.succeed(())
            self.finish(index, result)
        }
    }

    private func finish(_ index: Int, _ result: ProbeResult) {
        self.results[index] = result
        self.finished += 1
        if self.finished == self.results.count {
            self.done.succeed(self.results.map { $0! })
        } else {
            self.startNext()
        }
    }

    private func cancel() {
        guard !self.cancelled, self.finished < self.results.count else {
            return
        }
        self.cancelled = true
        let inFlight = self.inFlight.values
        self.inFlight = [:]
        for promise in inFlight {
            promise.succeed(())
        }
    }
}
