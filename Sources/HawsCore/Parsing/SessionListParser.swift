/// One stream from `show sess all`, reduced to what tunnel counting needs.
public struct StreamRecord: Sendable, Hashable {
    public var id: String
    public var frontend: String?
    public var backend: String?
    public var server: String?
    /// HTTP status of the transaction; 101 once a WebSocket upgrade passed.
    public var status: Int?
    public var requestState: String?
    public var responseState: String?
    /// Age of the stream, from the task line's `age=`.
    public var ageSeconds: Int?

    public init(id: String) {
        self.id = id
    }

    /// A WebSocket (or any HTTP/1.1 upgrade) tunnel: 101 answered and the request side in MSG_TUNNEL.
    public var isTunnel: Bool { status == 101 && requestState == "MSG_TUNNEL" }

    public var serverKey: ServerKey? {
        guard let backend, let server else { return nil }
        return ServerKey(backend: backend, server: server)
    }
}

/// Parses `show sess all` (operator level): one block per stream, starting with `0x...: [date] id=`.
///
/// Only the `frontend=`, `backend=`, `server=`, `task=... age=` and `txn=... status= req.st=` lines
/// are read; everything else (and any line this parser does not know) is ignored, so new fields in
/// later HAProxy versions cannot break it. The work is done by ``SessionDumpScanner``, which the live
/// reader feeds chunk by chunk; this is the whole-text form, for tests and small answers.
public enum SessionListParser {
    public static func parse(_ text: String) -> [StreamRecord] {
        var scanner = SessionDumpScanner(collectingRecords: true)
        var text = text
        text.withUTF8 { scanner.consume(UnsafeRawBufferPointer($0)) }
        scanner.finish()
        return scanner.records
    }
}

/// Counts the tunnels of a `show sess all` answer as its bytes arrive, without ever holding the answer.
///
/// At 100,000 tunnels the answer is about 155 MB (~1,545 bytes per stream); holding it, then splitting it
/// into lines and strings, cost the agent 140 MB of memory at 40,000 tunnels. This scanner keeps one partial
/// line (at most ``maximumLineBytes``) and the fields of the stream being read, and adds each finished
/// stream to ``tallies``: memory is per server, not per stream or per byte.
///
/// A tunnel is a stream whose `txn=` line says `status=101` and `req.st=MSG_TUNNEL` (HTTP/1.1 upgrades and
/// RFC 8441 WebSockets over HTTP/2 alike; `MSG_TUNNEL` alone would also match CONNECT), counted under the
/// `backend=` and `server=` lines of its block.
public struct SessionDumpScanner: Sendable {
    /// Lines longer than this are cut: every field read here sits in the first hundred bytes of its line.
    public static let maximumLineBytes = 1_024

    /// Tunnels per server, with their ages.
    public private(set) var tallies: [ServerKey: TunnelTally] = [:]
    /// Streams seen (tunnels or not).
    public private(set) var streams = 0
    /// Tunnels seen, whether or not their server was named.
    public private(set) var tunnels = 0
    /// Bytes consumed.
    public private(set) var bytes = 0
    /// Every stream as a record, when asked for (tests and ``SessionListParser``); empty otherwise.
    public private(set) var records: [StreamRecord] = []

    private let collectingRecords: Bool
    private var partial: [UInt8] = []
    private var inStream = false
    private var id: [UInt8] = []
    private var frontend: [UInt8] = []
    private var backend: [UInt8] = []
    private var server: [UInt8] = []
    private var status: Int?
    private var requestState: [UInt8] = []
    private var responseState: [UInt8] = []
    private var age: Int?
    /// The last tunnel's server, so a run of tunnels on one server builds its key once.
    private var lastKey: (backend: [UInt8], server: [UInt8], key: ServerKey)?

    public init(collectingRecords: Bool = false) {
        self.collectingRecords = collectingRecords
        partial.reserveCapacity(256)
    }

    /// Reads the next piece of the answer; pieces may split lines anywhere.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        bytes += chunk.count
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var start = 0
        let count = chunk.count
        while start < count {
            let rest = UnsafeBufferPointer(start: base + start, count: count - start)
            guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else {
                appendPartial(rest)
                return
            }
            let line = UnsafeBufferPointer(start: base + start, count: newline)
            if partial.isEmpty {
                read(line: line)
            } else {
                appendPartial(line)
                let joined = partial
                joined.withUnsafeBufferPointer { read(line: $0) }
                partial.removeAll(keepingCapacity: true)
            }
            start += newline + 1
        }
    }

    /// Ends the answer: the last stream (and a last line without its line break) is counted.
    public mutating func finish() {
        if !partial.isEmpty {
            let joined = partial
            joined.withUnsafeBufferPointer { read(line: $0) }
            partial.removeAll(keepingCapacity: true)
        }
        endStream()
    }

    private mutating func appendPartial(_ bytes: UnsafeBufferPointer<UInt8>) {
        let room = Self.maximumLineBytes - partial.count
        guard room > 0 else { return }
        partial.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<min(bytes.count, room)]))
    }

    private mutating func read(line raw: UnsafeBufferPointer<UInt8>) {
        var end = raw.count
        if end > 0, raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        var at = 0
        while at < end, raw[at] == UInt8(ascii: " ") || raw[at] == UInt8(ascii: "\t") { at += 1 }
        let text = UnsafeBufferPointer(rebasing: raw[at..<end])
        if at == 0, text.count > 2, text[0] == UInt8(ascii: "0"), text[1] == UInt8(ascii: "x"),
            text.firstIndex(of: UInt8(ascii: ":")) != nil
        {
            endStream()
            inStream = true
            if !Self.copyToken(after: Keys.id, in: text, into: &id) {
                id.removeAll(keepingCapacity: true)
                id.append(contentsOf: text[..<text.firstIndex(of: UInt8(ascii: ":"))!])
            }
            return
        }
        guard inStream, let first = text.first else { return }
        switch first {
        case UInt8(ascii: "b"):
            if Self.hasPrefix(Keys.backend, text) { Self.copyName(after: Keys.backend, in: text, into: &backend) }
        case UInt8(ascii: "s"):
            if Self.hasPrefix(Keys.server, text) { Self.copyName(after: Keys.server, in: text, into: &server) }
        case UInt8(ascii: "f"):
            if collectingRecords, Self.hasPrefix(Keys.frontend, text) {
                Self.copyName(after: Keys.frontend, in: text, into: &frontend)
            }
        case UInt8(ascii: "t"):
            if Self.hasPrefix(Keys.task, text) {
                var token: [UInt8] = []
                if Self.copyToken(after: Keys.age, in: text, into: &token) {
                    age = HumanDuration.seconds(String(decoding: token, as: UTF8.self))
                }
            } else if Self.hasPrefix(Keys.txn, text) {
                var token: [UInt8] = []
                status = Self.copyToken(after: Keys.status, in: text, into: &token) ? Self.integer(token) : nil
                if !Self.copyToken(after: Keys.requestState, in: text, into: &requestState) {
                    requestState.removeAll(keepingCapacity: true)
                }
                if !Self.copyToken(after: Keys.responseState, in: text, into: &responseState) {
                    responseState.removeAll(keepingCapacity: true)
                }
            }
        default:
            return
        }
    }

    private mutating func endStream() {
        guard inStream else { return }
        inStream = false
        streams += 1
        let isTunnel = status == 101 && requestState.elementsEqual(Keys.tunnelState)
        if isTunnel {
            tunnels += 1
            if !backend.isEmpty, !server.isEmpty {
                let key: ServerKey
                if let last = lastKey, last.backend == backend, last.server == server {
                    key = last.key
                } else {
                    key = ServerKey(backend: String(decoding: backend, as: UTF8.self), server: String(decoding: server, as: UTF8.self))
                    lastKey = (backend, server, key)
                }
                tallies[key, default: TunnelTally()].add(ageSeconds: age)
            }
        }
        if collectingRecords {
            var record = StreamRecord(id: String(decoding: id, as: UTF8.self))
            record.frontend = frontend.isEmpty ? nil : String(decoding: frontend, as: UTF8.self)
            record.backend = backend.isEmpty ? nil : String(decoding: backend, as: UTF8.self)
            record.server = server.isEmpty ? nil : String(decoding: server, as: UTF8.self)
            record.status = status
            record.requestState = requestState.isEmpty ? nil : String(decoding: requestState, as: UTF8.self)
            record.responseState = responseState.isEmpty ? nil : String(decoding: responseState, as: UTF8.self)
            record.ageSeconds = age
            records.append(record)
        }
        id.removeAll(keepingCapacity: true)
        frontend.removeAll(keepingCapacity: true)
        backend.removeAll(keepingCapacity: true)
        server.removeAll(keepingCapacity: true)
        requestState.removeAll(keepingCapacity: true)
        responseState.removeAll(keepingCapacity: true)
        status = nil
        age = nil
    }

    // MARK: Byte helpers

    private enum Keys {
        static let id = Array("id=".utf8)
        static let frontend = Array("frontend=".utf8)
        static let backend = Array("backend=".utf8)
        static let server = Array("server=".utf8)
        static let task = Array("task=".utf8)
        static let txn = Array("txn=".utf8)
        static let age = Array(" age=".utf8)
        static let status = Array(" status=".utf8)
        static let requestState = Array(" req.st=".utf8)
        static let responseState = Array(" rsp.st=".utf8)
        static let tunnelState = Array("MSG_TUNNEL".utf8)
    }

    private static func hasPrefix(_ prefix: [UInt8], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count >= prefix.count && text.prefix(prefix.count).elementsEqual(prefix)
    }

    /// Where the value after `key` starts, or `nil` when `key` is not in `text`.
    private static func valueStart(after key: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard text.count >= key.count, let first = key.first else { return nil }
        var at = 0
        let last = text.count - key.count
        while at <= last {
            if text[at] == first, text[at..<(at + key.count)].elementsEqual(key) { return at + key.count }
            at += 1
        }
        return nil
    }

    /// The value after `key` up to the next space, comma or closing parenthesis, into `token`; false when
    /// there is no such key or value.
    private static func copyToken(after key: [UInt8], in text: UnsafeBufferPointer<UInt8>, into token: inout [UInt8]) -> Bool {
        token.removeAll(keepingCapacity: true)
        guard let start = valueStart(after: key, in: text) else { return false }
        var end = start
        while end < text.count, text[end] != UInt8(ascii: " "), text[end] != UInt8(ascii: ","), text[end] != UInt8(ascii: ")") {
            end += 1
        }
        token.append(contentsOf: text[start..<end])
        return !token.isEmpty
    }

    /// A proxy or server name after `key` (`backend=ws_chat (id=3 ...)`); HAProxy prints `<NONE>` for a
    /// stream not yet assigned, which leaves `name` empty.
    private static func copyName(after key: [UInt8], in text: UnsafeBufferPointer<UInt8>, into name: inout [UInt8]) {
        if !copyToken(after: key, in: text, into: &name) || name.first == UInt8(ascii: "<") {
            name.removeAll(keepingCapacity: true)
        }
    }

    /// A decimal integer (HAProxy prints `status=-1` before a response), or `nil`.
    private static func integer(_ token: [UInt8]) -> Int? {
        let negative = token.first == UInt8(ascii: "-")
        let digits = negative ? token.dropFirst() : token[...]
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}

/// HAProxy's human-readable durations (`8s`, `1m05s`, `59m52s`, `2h03m`, `1d02h`, `120ms`).
public enum HumanDuration {
    /// Whole seconds, or `nil` for `<NEVER>`, `?` and anything unreadable.
    public static func seconds(_ text: String) -> Int? {
        var total = 0.0
        var number = 0.0
        var sawDigit = false
        var sawUnit = false
        var chars = Array(text.utf8)[...]
        while let char = chars.first {
            chars = chars.dropFirst()
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                number = number * 10 + Double(char - UInt8(ascii: "0"))
                sawDigit = true
            case UInt8(ascii: "d"): total += number * 86_400; number = 0; sawUnit = true
            case UInt8(ascii: "h"): total += number * 3_600; number = 0; sawUnit = true
            case UInt8(ascii: "m"):
                if chars.first == UInt8(ascii: "s") {
                    chars = chars.dropFirst()
                    total += number / 1000
                } else {
                    total += number * 60
                }
                number = 0
                sawUnit = true
            case UInt8(ascii: "s"): total += number; number = 0; sawUnit = true
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        if !sawUnit { total += number }  // a bare number: seconds
        // No stream is older than Int.max seconds: a longer "age" is garbage, and Int(_:) traps on it (found by
        // fuzzing).
        guard total < Double(Int.max) else { return nil }
        return Int(total)
    }
}
