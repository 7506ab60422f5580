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
