import HawsCore
import HawsPosix
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends commands to HAProxy's runtime API (a `stats socket` or the master CLI) and returns its answers.
///
/// One connection per call, in HAProxy's non-interactive mode: write one line, half-close, read until HAProxy
/// closes.
/// That costs HAProxy little, never leaves a session attached to an old process after a reload, and makes
/// "the answer is complete" unambiguous (EOF). Every call has one deadline covering connect, write and read;
/// at the deadline the channel is closed, so a HAProxy that accepts and never answers fails the call in
/// time and leaks no file descriptor.
public struct RuntimeAPIClient: Sendable {
    /// The socket this client talks to.
    public let endpoint: RuntimeEndpoint
    /// The deadline of a whole call, connect included.
    public let timeout: Duration
    /// Answers larger than this fail with ``RuntimeAPIError/Kind/responseTooLarge`` rather than exhausting
    /// memory; reading stops there and the connection is closed.
    public let maximumResponseBytes: Int
    /// The default cap of a collected answer (and of a stats page body): 64 MB. `show stat` of 10,000 servers
    /// is 2 MB, so this is 30 times the largest instance haws is measured at, and an endless or garbage answer
    /// costs at most this much memory. `show sess all` is scanned as it arrives and has no size cap: its memory
    /// stays flat and the call's deadline bounds its time.
    public static let defaultMaximumResponseBytes = 64 << 20
    private let group: any EventLoopGroup

    public init(
        endpoint: RuntimeEndpoint,
        timeout: Duration = .seconds(5),
        maximumResponseBytes: Int = RuntimeAPIClient.defaultMaximumResponseBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(timeout > .zero, "a runtime API timeout must be positive")
        precondition(maximumResponseBytes > 0, "the response size limit must be positive")
        self.endpoint = endpoint
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
        self.group = group
    }

    /// Sends one command and returns HAProxy's whole answer (ending with its empty line).
    ///
    /// Answers that are data, including HAProxy's error texts such as `No such server.`, are returned; use
    /// ``RuntimeAPIResponse/errorMessage(of:)`` to read a write command's outcome.
    ///
    /// - Throws: ``RuntimeAPIError``: the command has a line break or control character; the socket is
    ///   missing, refuses, or is not accessible; HAProxy answered `Permission denied` (socket level too low)
    ///   or `Unknown command`; the deadline passed; the connection ended without an answer, was reset, or
    ///   closed before the empty line that ends every answer; the answer exceeded ``maximumResponseBytes``. `CancellationError` if the task was cancelled.
    public func send(_ command: String) async throws -> String {
        try validate(command)
        let output = try await exchange(line: command)
        try checkRefusal(output, of: command)
        return output
    }

    /// ``send(_:)`` for large data answers (`show stat`), as bytes: no string is built, so the 2 MB answer of
    /// 10,000 servers is copied once from HAProxy's chunks and not validated as UTF-8 (its parser reads bytes).
    ///
    /// - Throws: as ``send(_:)``.
    ///
    /// - Parameter expectedSize: the likely size of the answer (the previous one's): the answer is then
    ///   collected into one array reserved at about that size as it arrives, instead of chunks joined at the end.
    public func sendForBytes(_ command: String, expectedSize: Int = 0) async throws -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(min(max(expectedSize + expectedSize / 16, 1 << 16), maximumResponseBytes))
        return try await sendForBytes(command, into: buffer)
    }

    /// ``sendForBytes(_:expectedSize:)`` collecting into `buffer` (emptied first): an earlier answer's array,
    /// whose pages are already mapped, spares the kernel faulting in and zeroing 2 MB on every poll.
    public func sendForBytes(_ command: String, into buffer: consuming [UInt8]) async throws -> [UInt8] {
        try validate(command)
        let received = try await exchangeAnswer(line: command, contiguous: ByteArrayHandOff(consume buffer))
        let output = received.bytes ?? Self.joinedBytes(received.chunks, count: received.count)
        // HAProxy's refusals are one line at the top; the head settles it without decoding the whole answer.
        try checkRefusal(String(decoding: output.prefix(4_096), as: UTF8.self), of: command)
        return output
    }

    /// Sends `show sess all` (or another session list) and counts its tunnels as the answer arrives, with
    /// ``SessionDumpScanner``: the answer is never held, however many streams HAProxy lists. It is read at
    /// `pace`'s rate (``SessionDumpPace``); the time its reads were held is added to `record`.
    ///
    /// - Throws: as ``send(_:)``, except that the answer has no size limit (its memory is bounded; the call's
    ///   deadline bounds its time).
    func scanSessions(
        _ command: String, pace: SessionDumpPace = .standard, record: ReadPaceRecord? = nil
    ) async throws -> SessionDumpScanner {
        try validate(command)
        let received = try await exchangeAnswer(
            line: command, scanner: SessionDumpScanner(), rate: pace.rate, record: record)
        try checkRefusal(String(decoding: received.head, as: UTF8.self), of: command)
        return received.scanned ?? SessionDumpScanner()
    }

    /// Sends several commands in one connection, as `cmd1;cmd2;...`, and returns the raw output of all of them.
    ///
    /// Meant for writes (drain a server and shut its sessions in one go). Split the output with
    /// ``RuntimeAPIResponse/answers(ofBatch:)``. A command may not contain `;`, which HAProxy would read as a
    /// separator.
    ///
    /// - Throws: as ``send(_:)``; `Permission denied` or `Unknown command` in the answer of any command of
    ///   the batch is thrown, naming that command.
    public func send(batch commands: [String]) async throws -> String {
        guard !commands.isEmpty else {
            throw RuntimeAPIError.invalidCommand(
                "",
                on: endpoint,
                reason: "the batch is empty; pass at least one command"
            )
        }
        for command in commands {
            try validate(command)
            if command.contains(";") {
                throw RuntimeAPIError.invalidCommand(
                    command,
                    on: endpoint,
                    reason: "a command in a batch cannot contain ';', HAProxy would split it into two commands"
                )
            }
        }
        let line = commands.joined(separator: ";")
        let output = try await exchange(line: line)
        let answers = RuntimeAPIResponse.answers(ofBatch: output)
        for (index, answer) in answers.enumerated() {
            try checkRefusal(answer, of: answers.count == commands.count ? commands[index] : line)
        }
        return output
    }

    // MARK: Internals

    /// Refuses what would make HAProxy run something else than asked: a line break starts another command.
    private func validate(_ command: String) throws {
        if command.trimmingWhitespace().isEmpty {
            throw RuntimeAPIError.invalidCommand(command, on: endpoint, reason: "the command is empty")
        }
        if command.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw RuntimeAPIError.invalidCommand(
                command,
                on: endpoint,
                reason: "it contains a line break, and HAProxy would run what follows as another command"
            )
        }
        if command.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            throw RuntimeAPIError.invalidCommand(command, on: endpoint, reason: "it contains a control character")
        }
    }

    /// The chunks' bytes, in one array of exactly their size.
    private static func joinedBytes(_ chunks: [ByteBuffer], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            initialized = copy(chunks, into: storage)
        }
    }

    /// The chunks' bytes as one string (invalid UTF-8 repaired, as `String(decoding:)` does).
    private static func joined(_ chunks: [ByteBuffer], count: Int) -> String {
        if chunks.count == 1 { return String(buffer: chunks[0]) }
        // Written straight into the string's storage (ill-formed UTF-8 is repaired as `String(decoding:)` does).
        return String(unsafeUninitializedCapacity: count) { storage in copy(chunks, into: storage) }
    }

    /// Copies the chunks one after another into `storage` (large enough for all of them); returns the count.
    private static func copy(_ chunks: [ByteBuffer], into storage: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var offset = 0
        for chunk in chunks {
            chunk.withUnsafeReadableBytes { raw in
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(storage)[offset..<offset + raw.count])
                    .copyMemory(from: raw)
                offset += raw.count
            }
        }
        return offset
    }

    /// Throws when HAProxy refused `command` (`Permission denied`: socket level too low; `Unknown command`).
    private func checkRefusal(_ answer: String, of command: String) throws {
        if RuntimeAPIResponse.isPermissionDenied(answer) {
            throw RuntimeAPIError.levelTooLow(command, on: endpoint)
        }
        if RuntimeAPIResponse.isUnknownCommand(answer) {
            throw RuntimeAPIError.unknownCommand(command, on: endpoint, answer: firstLine(of: answer))
        }
    }

    private func firstLine(of answer: String) -> String {
        RuntimeAPIResponse.errorMessage(of: answer) ?? ""
    }

    /// One connection: write `line` + `\n`, read to EOF, classify every failure.
    private func exchange(line: String) async throws -> String {
        let received = try await exchangeAnswer(line: line)
        return Self.joined(received.chunks, count: received.count)
    }

    /// ``exchange(line:)`` with the answer as HAProxy's chunks, or as one array (`contiguous`).
    private func exchangeAnswer(
        line: String, contiguous: ByteArrayHandOff? = nil, scanner: SessionDumpScanner? = nil,
        rate: ReadRate? = nil, record: ReadPaceRecord? = nil
    ) async throws -> RuntimeAnswer {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let channel: any Channel
        let answer: EventLoopFuture<RuntimeAnswer>
        do {
            (channel, answer) = try await connect(
                deadline: deadline, contiguous: contiguous, scanner: scanner, rate: rate, record: record)
        } catch {
            throw classifyConnectFailure(error, command: line, deadline: deadline)
        }
        // The write fails when the peer closed first (a server that accepts then closes at once); what arrives
        // inbound, or its absence, makes the better report than the write error. Then half-close, as `socat`
        // does at the end of its input: HAProxy's master CLI keeps the session open for more commands until it
        // sees EOF (the worker's socket closes after one command).
        let written = channel.writeAndFlush(ByteBuffer(string: line + "\n")).flatMap {
            channel.close(mode: .output)
        }
        let received: RuntimeAnswer
        do {
            received = try await withTaskCancellationHandler {
                try await answer.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch let failure as RuntimeAnswerFailure {
            channel.close(promise: nil)
            try Task.checkCancellation()
            if failure.error is RuntimeAnswerTooLarge {
                throw RuntimeAPIError.responseTooLarge(line, on: endpoint, limit: maximumResponseBytes)
            }
            throw classifyExchangeFailure(
                failure.error, command: line, receivedBytes: failure.receivedBytes, deadline: deadline)
        }
        channel.close(promise: nil)
        try Task.checkCancellation()
        guard received.count > 0 else {
            if let writeError = await Self.failure(of: written), !Self.isClosedConnection(writeError) {
                throw classifyExchangeFailure(writeError, command: line, receivedBytes: 0, deadline: deadline)
            }
            throw RuntimeAPIError.closedWithoutAnswer(line, on: endpoint)
        }
        guard received.endsLikeAnAnswer else {
            throw RuntimeAPIError.cutOff(line, on: endpoint, afterBytes: received.count)
        }
        return received
    }

    /// The error a finished future failed with, if any.
    private static func failure(of future: EventLoopFuture<Void>) async -> (any Error)? {
        do {
            try await future.get()
            return nil
        } catch {
            return error
        }
    }

    private func connect(
        deadline: NIODeadline, contiguous: ByteArrayHandOff?, scanner: SessionDumpScanner?, rate: ReadRate?,
        record: ReadPaceRecord?
    ) async throws -> (
        any Channel, EventLoopFuture<RuntimeAnswer>
    ) {
        let addresses: [SocketAddress]
        switch endpoint {
        case .unix(let path):
            addresses = [try SocketAddress(unixDomainSocketPath: path)]
        case .tcp(let host, let port):
            addresses = try await HostResolver.system.resolve(
                host: host,
                port: port,
                deadline: deadline,
                eventLoop: group.next()
            )
        }
        let limit = maximumResponseBytes
        return try await Connector.connect(to: addresses, group: group, deadline: deadline) { channel in
            channel.eventLoop.makeCompletedFuture {
                let promise = channel.eventLoop.makePromise(of: RuntimeAnswer.self)
                // Paced reads (see ReadPacingHandler) take up to a few interval's worth of HAProxy's output at once.
                try channel.syncOptions?.setOption(
                    .recvAllocator,
                    value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 * 1024, maximum: 256 * 1024))
                try channel.pipeline.syncOperations.addHandlers(Self.answerHandlers(
                    deadline: deadline, limit: limit, contiguous: contiguous, scanner: scanner, rate: rate,
                    record: record, promise: promise))
                return (channel, promise.futureResult)
            }
        }
    }

    /// The pipeline that reads one answer. A dump scanned as it arrives (`scanner`) is read at its byte rate
    /// (`rate`): HAProxy writes `show sess all` faster than one read per interval takes it (see
    /// ``ReadPacingHandler``). Other answers are paced by interval once large.
    static func answerHandlers(
        deadline: NIODeadline, limit: Int, contiguous: ByteArrayHandOff?, scanner: SessionDumpScanner?,
        rate: ReadRate? = nil, record: ReadPaceRecord? = nil, promise: EventLoopPromise<RuntimeAnswer>
    ) -> [any ChannelHandler] {
        let collector = RuntimeAnswerCollector(limit: limit, contiguous: contiguous, scanner: scanner, promise: promise)
        let pacing = rate.map { ReadPacingHandler(rate: $0, record: record) } ?? ReadPacingHandler()
        return [ChannelDeadlineHandler(deadline: deadline), pacing, collector]
    }

    private func classifyConnectFailure(_ error: any Error, command: String, deadline: NIODeadline) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? IOError {
            return RuntimeAPIError.connectFailure(errno: error.errnoCode, endpoint: endpoint) {
                guard case .unix(let path) = endpoint else { return nil }
                return SocketFileStatus(path: path)
            }
        }
        if error is ChannelDeadlineExceeded || NIODeadline.now() >= deadline {
            return RuntimeAPIError.timeout(command, on: endpoint, after: timeout)
        }
        if case ChannelError.connectTimeout = error {
            return RuntimeAPIError.timeout(command, on: endpoint, after: timeout)
        }
        if let error = error as? HostResolutionError {
            return RuntimeAPIError.connectFailed(endpoint, reason: "cannot resolve '\(error.host)': \(error.reason)")
        }
        return RuntimeAPIError.connectFailed(endpoint, reason: String(describing: error))
    }

    private func classifyExchangeFailure(
        _ error: any Error,
        command: String,
        receivedBytes: Int,
        deadline: NIODeadline
    ) -> RuntimeAPIError {
        if error is ChannelDeadlineExceeded || NIODeadline.now() >= deadline {
            return .timeout(command, on: endpoint, after: timeout)
        }
        if Self.isClosedConnection(error) {
            return receivedBytes == 0
                ? .closedWithoutAnswer(command, on: endpoint)
                : .connectionReset(command, on: endpoint, afterBytes: receivedBytes)
        }
        return .ioFailed(command, on: endpoint, reason: String(describing: error))
    }

    /// A reset, a broken pipe or NIO's view of a channel the peer closed.
    private static func isClosedConnection(_ error: any Error) -> Bool {
        if let ioError = error as? IOError {
            return [ECONNRESET, EPIPE].contains(ioError.errnoCode)
        }
        if let channelError = error as? ChannelError {
            return [ChannelError.ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed].contains(channelError)
        }
        return false
    }
}
