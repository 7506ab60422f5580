import NIOHTTP1

/// Builds the upgrade request head for a target, minus the four headers NIO's upgrader adds itself
/// (`Upgrade`, `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`).
///
/// NIO's client upgrader sends no `Host`, and HTTP/1.1 servers (HAProxy included) answer 400 without one, so the
/// probe writes it here; pure so the exact bytes a backend will see are unit-tested.
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
}
