import HawsCore
import NIOCore
import NIOHTTP1

/// Builds the upgrade request for a target: its head (``head(for:)``: `Host`, `User-Agent`, `Origin`, the offers and
/// extra headers) and the bytes on the wire (``write(for:key:into:)``: that head plus the four headers of the
/// upgrade itself: `Upgrade`, `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`).
///
/// HTTP/1.1 servers (HAProxy included) answer 400 without a `Host`, so it is always written; pure so the exact bytes
/// a backend will see are unit-tested. The probe writes the request in one go rather than through NIO's HTTP encoder
/// and upgrader: a handful of lines cost far less than installing (and removing) those handlers per probe.
enum HandshakeRequest {
    /// Identifies probes in backend logs, so operators can filter them out of traffic figures.
    static let userAgent = "haws-probe"

    static func head(for target: ProbeTarget) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.effectiveHostHeader)
        headers.add(name: "User-Agent", value: Self.userAgent)
        if let origin = target.origin {
            headers.add(name: "Origin", value: origin)
        }
        if !target.subprotocols.isEmpty {
            headers.add(name: "Sec-WebSocket-Protocol", value: target.subprotocols.joined(separator: ", "))
        }
        if !target.extensions.isEmpty {
            headers.add(name: "Sec-WebSocket-Extensions", value: target.extensions.joined(separator: ", "))
        }
        var replaced: Set<String> = []
        for header in target.headers {
            let name = header.name.lowercased()
            if replaced.insert(name).inserted {
                headers.remove(name: header.name)
            }
            headers.add(name: header.name, value: header.value)
        }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path, headers: headers)
    }

    /// Appends the complete upgrade request for `target` with `key` as `Sec-WebSocket-Key`.
    static func write(for target: ProbeTarget, key: String, into buffer: inout ByteBuffer) {
        let head = Self.head(for: target)
        buffer.writeString("GET ")
        buffer.writeString(head.uri)
        buffer.writeString(" HTTP/1.1\r\n")
        for (name, value) in head.headers {
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ")
        buffer.writeString(key)
        buffer.writeString("\r\nSec-WebSocket-Version: 13\r\n\r\n")
    }
}

/// The `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` pair of RFC 6455 section 4.
///
/// A fresh random key per probe matters: a cache or a broken backend that replays one canned 101 would pass a probe
/// that always sent the same key.
public enum WebSocketKey {
    /// The GUID RFC 6455 appends to the key before hashing.
    public static let magicGUID = RFC6455.guid

    /// A new key: 16 random bytes, base64-encoded (24 characters).
    public static func random() -> String {
        self.key(ProbeEntropy.bytes(16))
    }

    /// A key from the given generator, so tests can make keys deterministic.
    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        self.key((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The key for 16 nonce bytes.
    static func key(_ nonce: [UInt8]) -> String {
        RFC6455.base64(nonce)
    }

    /// The `Sec-WebSocket-Accept` a correct server answers to `key`: base64(SHA-1(key + GUID)).
    public static func acceptValue(forKey key: String) -> String {
        RFC6455.acceptValue(forKey: key)
    }
}

/// The random bytes of one probe (key, ping payload, frame masks), drawn from the system 8 bytes at a time.
///
/// `UInt8.random(in:)` asks the kernel once per byte on Linux (`getrandom`), and a probe needs 48 bytes: that was 34
/// system calls per handshake, more than the TCP connection itself makes. `SystemRandomNumberGenerator.next()`
/// fills a `UInt64` per call.
enum ProbeEntropy {
    /// `count` bytes from the system's cryptographic generator.
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
