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
/// later HAProxy versions cannot break it.
public enum SessionListParser {
    public static func parse(_ text: String) -> [StreamRecord] {
        var streams: [StreamRecord] = []
        var current: StreamRecord?
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces()
            if line.hasPrefix("0x"), let colon = line.firstIndex(of: ":") {
                if let current { streams.append(current) }
                let id = token(after: "id=", in: line) ?? String(line[..<colon])
                current = StreamRecord(id: id)
                continue
            }
            guard current != nil else { continue }
            if line.hasPrefix("frontend=") {
                current!.frontend = proxyName(token(after: "frontend=", in: line))
            } else if line.hasPrefix("backend=") {
                current!.backend = proxyName(token(after: "backend=", in: line))
            } else if line.hasPrefix("server=") {
                current!.server = proxyName(token(after: "server=", in: line))
            } else if line.hasPrefix("task=") {
                current!.ageSeconds = token(after: " age=", in: line).flatMap { HumanDuration.seconds($0) }
            } else if line.hasPrefix("txn=") {
                current!.status = token(after: " status=", in: line).flatMap { Int($0) }
                current!.requestState = token(after: " req.st=", in: line)
                current!.responseState = token(after: " rsp.st=", in: line)
            }
        }
        if let current { streams.append(current) }
        return streams
    }

    /// The value after `key` up to the next space, comma or closing parenthesis.
    static func token(after key: String, in line: Substring) -> String? {
        guard let range = line.firstRange(of: key) else { return nil }
        let rest = line[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == " " || $0 == "," || $0 == ")" }) ?? rest.endIndex
        let value = rest[..<end]
        return value.isEmpty ? nil : String(value)
    }

    /// HAProxy prints `<NONE>` for a stream not yet assigned to a backend or server.
    private static func proxyName(_ token: String?) -> String? {
        guard let token, !token.hasPrefix("<") else { return nil }
        return token
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
