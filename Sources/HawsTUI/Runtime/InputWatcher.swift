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
import Dispatch
import Synchronization

/// Wakes the UI loop when the terminal has input, from a thread of its own blocked in `poll()`, so
/// no thread of the cooperative pool ever waits for a key (2 cores = 2 pool threads).
///
/// After each wake it waits until the UI loop has drained the keys (``resume()``), so a readable
/// terminal does not spin. A hang-up (the SSH session or the tmux pane went away) is reported once.
final class InputWatcher: Sendable {
    enum Event: Sendable { case readable, hangup }

    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let drained = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    func start(_ handler: @escaping @Sendable (Event) -> Void) {
        DetachedThread.start { [self] in
            self.loop(handler)
        }
    }

    /// The UI loop has read every waiting key: watch again.
    func resume() { drained.signal() }

    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        drained.signal()
    }

    deinit {
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    private func loop(_ handler: @Sendable (Event) -> Void) {
        var fds = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        while !stopped.load(ordering: .sequentiallyConsistent) {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                handler(.hangup)
                return
            }
            if fds[1].revents != 0 || stopped.load(ordering: .sequentiallyConsistent) { return }
            let events = Int32(fds[0].revents)
            if events & (Int32(POLLHUP) | Int32(POLLERR) | Int32(POLLNVAL)) != 0 {
                handler(.hangup)
                return
            }
            if events & Int32(POLLIN) != 0 {
                handler(.readable)
                drained.wait()
            }
        }
    }
}
