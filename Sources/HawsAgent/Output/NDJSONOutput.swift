#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where NDJSON lines go.
public enum NDJSONDestination: Sendable, Hashable, CustomStringConvertible {
    case standardOutput
    case file(String)

    /// `-` is standard output, anything else a file path.
    public init(argument: String) {
        self = argument == "-" ? .standardOutput : .file(argument)
    }

    public var description: String {
        switch self {
        case .standardOutput: "standard output"
        case .file(let path): path
        }
    }
}

/// Appends whole NDJSON lines to a file or standard output, so that a reader never sees a torn line.
///
/// - Each line is built completely first and handed to one `write(2)` on a descriptor opened with
///   `O_APPEND`: no user-space buffer holds half a line, so every line is on its way to the disk when
///   `write` returns, and a SIGKILL can at worst lose a line, never cut one. A full snapshot is the
///   exception, written in parts (``write(parts:estimatedBytes:)``): killed between two, it leaves one
///   unfinished line, which the next open ends.
/// - If the kernel takes only part of a line (the disk filled up mid-line), the partial line is truncated
///   off the file again; on standard output (a pipe) the rest is written instead.
/// - A failing destination (full disk, unwritable path, closed pipe) never stops the agent: the line is
///   dropped, counted, and the failure told on stderr at most once a minute (``ErrorThrottle``).
/// - ``reopen()`` (SIGHUP) closes and reopens the path, for logrotate's move-then-signal; optional
///   ``FileRotation`` rotates by size itself.
///
/// An actor: lines from the snapshot and event streams, SIGHUP and shutdown all arrive from different
/// tasks, and each must see the descriptor whole.
public actor NDJSONOutput {
    public nonisolated let destination: NDJSONDestination
    public nonisolated let rotation: FileRotation?
    private let report: @Sendable (String) -> Void
    private let now: @Sendable () -> Date
    private var descriptor: Int32 = -1
    private var size: Int64 = 0
    private var closed = false
    private var throttle: ErrorThrottle
    private var droppedSinceReport = 0

    public private(set) var linesWritten = 0
    public private(set) var linesDropped = 0

    /// - Parameters:
    ///   - report: receives a one-line message for stderr (already throttled).
    ///   - errorInterval: the least time between two reports of failing writes.
    public init(
        destination: NDJSONDestination, rotation: FileRotation? = nil, errorInterval: TimeInterval = 60,
        report: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.destination = destination
        self.rotation = destination == .standardOutput ? nil : rotation
        self.report = report
        self.now = now
        self.throttle = ErrorThrottle(interval: errorInterval)
    }

    /// Writes one complete line (it must end with a newline).
    ///
    /// - Returns: false when the line could not be written (already reported); true once written, and
    ///   after ``close()``, when lines are dropped on purpose.
    @discardableResult
    public func write(_ line: [UInt8]) -> Bool {
        // A line of one part: its size is exact, and it goes by the one path every line takes.
        write(parts: CollectionOfOne(line).makeIterator(), estimatedBytes: line.count) != nil
    }

    /// Writes one line given in consecutive parts (``SnapshotLine/Parts``), none of which the actor suspends between:
    /// no other line can come between two parts. Rotation is decided before the first part is written: on its size
    /// when it is the whole line, else on `estimatedBytes`.
    ///
    /// A failing part takes the parts already written back off the file, as ``write(_:)`` does for a partial line.
    /// Only a process killed between two parts (within the milliseconds a full snapshot takes to write) can leave a
    /// line unfinished; the next open of the file ends it (``openIfNeeded()``), so the lines after it stay whole.
    ///
    /// - Returns: the bytes written; `nil` when the line could not be written (already reported); 0 after
    ///   ``close()``.
    public func write<Parts: IteratorProtocol<[UInt8]>>(parts: Parts, estimatedBytes: Int) -> Int? {
        guard !closed else { return 0 }
        var parts = parts
        var written = 0
        do {
            guard let first = parts.next() else { return 0 }
            try openIfNeeded()
            // A first part that ends the line is the whole line: its size is known, not estimated.
            let lineBytes = first.last == UInt8(ascii: "\n") ? first.count : max(first.count, estimatedBytes)
            if let rotation, case .file(let path) = destination,
                rotation.needsRotation(currentSize: size, lineBytes: lineBytes)
            {
                try rotate(path, rotation)
                try openIfNeeded()
            }
            var part = first
            while true {
                try writeWhole(part, after: written)
                written += part.count
                guard let next = parts.next() else { break }
                part = next
            }
        } catch {
            failed(error)
            return nil
        }
        succeeded()
        return written
    }

    /// Closes and reopens the file (after logrotate moved it away); a no-op on standard output.
    public func reopen() {
        guard case .file = destination, !closed else { return }
        closeDescriptor()
        // Opened lazily by the next line: a failure is then reported like any failed write.
    }

    /// Stops writing: lines arriving later are dropped silently. Lines already written are on their way
    /// to the disk (no buffer to flush); the file is closed.
    public func close() {
        closed = true
        closeDescriptor()
    }

    // MARK: Internals

    /// Counts a dropped line and reports it (throttled).
    private func failed(_ error: OutputError) {
        linesDropped += 1
        droppedSinceReport += 1
        if let unreported = throttle.failure(at: now()) {
            var message = "haws agent: cannot write NDJSON to \(destination): \(error.description)"
            message += "; lines are dropped until it works again, polling goes on"
            if unreported > 0 { message += " (\(unreported) more failures since the last report)" }
            report(message)
        }
    }

    /// Counts a written line, and reports the recovery after failures.
    private func succeeded() {
        linesWritten += 1
        if throttle.recovered() {
            report("haws agent: writing NDJSON to \(destination) again (\(droppedSinceReport) lines were dropped)")
        }
        droppedSinceReport = 0
    }

    private func openIfNeeded() throws(OutputError) {
        guard descriptor < 0 else { return }
        switch destination {
        case .standardOutput:
            descriptor = STDOUT_FILENO
            size = 0
        case .file(let path):
            let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard opened >= 0 else { throw OutputError(operation: "open", errno: errno) }
            descriptor = opened
            var status = stat()
            size = fstat(opened, &status) == 0 ? Int64(status.st_size) : 0
            endUnfinishedLine(path)
        }
    }

    private func closeDescriptor() {
        if descriptor >= 0, descriptor != STDOUT_FILENO {
            posixClose(descriptor)
        }
        descriptor = -1
        size = 0
    }

    private func rotate(_ path: String, _ rotation: FileRotation) throws(OutputError) {
        closeDescriptor()
        for step in rotation.steps(for: path) {
            switch step {
            case .remove(let file):
                if unlink(file) != 0, errno != ENOENT {
                    throw OutputError(operation: "rotate (remove \(file))", errno: errno)
                }
            case .rename(let from, let to):
                if rename(from, to) != 0, errno != ENOENT {
                    throw OutputError(operation: "rotate (rename \(from))", errno: errno)
                }
            }
        }
    }

    /// A file that does not end with a newline ends with a line a killed writer left unfinished (haws between two
    /// parts of a line, or another program): end it, so the next line starts on a line of its own.
    /// Read through a descriptor of its own: the one written is write-only, as the file may be.
    private func endUnfinishedLine(_ path: String) {
        guard size > 0 else { return }
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { return }
        defer { posixClose(reader) }
        var last: UInt8 = 0
        guard pread(reader, &last, 1, off_t(size - 1)) == 1, last != UInt8(ascii: "\n") else { return }
        if posixWrite(descriptor, [UInt8(ascii: "\n")], 1) == 1 { size += 1 }
    }

    /// Writes `line` (or a part of one, after `earlier` bytes of it already written); on failure takes all of it
    /// back off the file.
    private func writeWhole(_ line: [UInt8], after earlier: Int) throws(OutputError) {
        var offset = 0
        while offset < line.count {
            let written = line.withUnsafeBytes { buffer in
                posixWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                undoPartial(earlier + offset)
                throw OutputError(operation: "write", errno: code)
            }
            // Short of a failure, the kernel takes the whole line at once. After a short write (a disk
            // filling up, a pipe interrupted) the rest follows; if that fails, the fragment is undone above.
            offset += written
        }
        size += Int64(line.count)
    }

    /// Takes the `bytes` written so far of a line that could not be written whole back off the file, so the file
    /// stays line-clean.
    private func undoPartial(_ bytes: Int) {
        guard bytes > 0, case .file = destination else { return }
        var status = stat()
        if fstat(descriptor, &status) == 0, ftruncate(descriptor, status.st_size - off_t(bytes)) == 0 {
            size = Int64(status.st_size) - Int64(bytes)
            return
        }
        // Could not cut it: end the fragment, so that at least the next line starts on a line of its own.
        _ = posixWrite(descriptor, [UInt8(ascii: "\n")], 1)
    }
}

/// A failed system call on the NDJSON destination, as one line (`write: No space left on device`).
struct OutputError: Error, CustomStringConvertible {
    let operation: String
    let errno: Int32

    var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

// `close` and `write` are also names of the actor's methods: call the C functions by an unambiguous name.
@inline(__always) private func posixClose(_ descriptor: Int32) {
    #if canImport(Glibc)
        _ = Glibc.close(descriptor)
    #else
        _ = Darwin.close(descriptor)
    #endif
}

@inline(__always) private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}
