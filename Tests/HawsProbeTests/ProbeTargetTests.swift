import Foundation
import NIOHTTP1
import Testing

@testable import HawsProbe

@Suite("ProbeTarget: URLs, validation, Host, SNI and the request head")
struct ProbeTargetTests {
    /// The optional parts of the request live in a shared box (nil at their defaults), so a target is ~48 bytes
    /// instead of 120 in every board entry and plan: it must still behave as the plain value it was.
    @Test("the boxed request parts: value semantics, equality, hashing and JSON as stored fields had")
    func boxedRequestParts() throws {
        let plain = ProbeTarget(host: "10.0.0.1", port: 8080, path: "/ws")
        #expect(plain.request == nil && MemoryLayout<ProbeTarget>.size <= 56, "\(MemoryLayout<ProbeTarget>.size)")
        var named = plain
        named.hostHeader = "chat.example.com"
        named.headers.append(ProbeHeader(name: "X-Probe", value: "haws"))
        #expect(plain.hostHeader == nil && plain.headers.isEmpty, "a copy's change reached the original")
        let built = ProbeTarget(
            host: "10.0.0.1", port: 8080, path: "/ws", hostHeader: "chat.example.com",
            headers: [ProbeHeader(name: "X-Probe", value: "haws")])
        #expect(named == built && named.hashValue == built.hashValue && named != plain)
        #expect(built.at(host: "10.0.0.2", port: 9000).request === built.request)
        #expect(built.at(host: "10.0.0.2", port: 9000).url == "ws://10.0.0.2:9000/ws")
        named.hostHeader = nil
        named.headers = []
        #expect(named == plain && named.request == nil && named.hashValue == plain.hashValue)

        let full = ProbeTarget(
            host: "example.com", port: 443, tls: true, path: "/s", hostHeader: "h", origin: "https://o",
            headers: [ProbeHeader(name: "A", value: "b")], subprotocols: ["p"], extensions: ["permessage-deflate"],
            serverName: "sni")
        for target in [plain, full] {
            let json = try JSONEncoder().encode(target)
            #expect(try JSONDecoder().decode(ProbeTarget.self, from: json) == target)
            let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            #expect(object["headers"] != nil && object["subprotocols"] != nil && object["extensions"] != nil)
            #expect((object["hostHeader"] != nil) == (target.hostHeader != nil))
        }
        let object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? [String: Any])
        #expect(Set(object.keys) == [
            "host", "port", "tls", "path", "hostHeader", "origin", "headers", "subprotocols", "extensions",
            "serverName",
        ])
    }

    @Test("ws:// and wss:// URLs with and without ports, paths and queries")
    func parse() throws {
        let plain = try ProbeTarget(url: "ws://127.0.0.1:8080/chat")
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 8080)
        #expect(!plain.tls)
        #expect(plain.path == "/chat")
        #expect(plain.url == "ws://127.0.0.1:8080/chat")

        let secure = try ProbeTarget(url: "WSS://example.com/socket?room=1")
        #expect(secure.tls)
        #expect(secure.port == 443)
        #expect(secure.path == "/socket?room=1")

        #expect(try ProbeTarget(url: "ws://example.com").path == "/")
        #expect(try ProbeTarget(url: "ws://example.com").port == 80)
        #expect(try ProbeTarget(url: "ws://example.com?x=1").path == "/?x=1")

        let v6 = try ProbeTarget(url: "ws://[::1]:9000/")
        #expect(v6.host == "::1")
        #expect(v6.port == 9000)
        #expect(v6.authority == "[::1]:9000")
        #expect(v6.url == "ws://[::1]:9000/")
    }

    @Test(
        "malformed URLs are refused with a reason",
        arguments: [
            "http://example.com/", "example.com", "ws://", "ws://host:0/", "ws://host:70000/", "ws://host:abc/",
            "ws://user:pw@host/", "ws://host/#frag", "ws://[::1/", "ws://[::1]x/", "ws://ho st/",
        ]
    )
    func malformed(url: String) {
        #expect(throws: ProbeTargetError.self) {
            try ProbeTarget(url: url)
        }
    }

    @Test("validation refuses header injection, handshake-owned headers and non-token subprotocols")
    func validation() throws {
        var target = ProbeTarget(host: "127.0.0.1", port: 80)
        try target.validate()

        target.headers = [ProbeHeader(name: "X-Test", value: "a\r\nInjected: yes")]
        #expect(throws: ProbeTargetError.self) { try target.validate() }

        target.headers = [ProbeHeader(name: "Bad Name", value: "x")]
        #expect(throws: ProbeTargetError.self) { try target.validate() }

        target.headers = [ProbeHeader(name: "Sec-WebSocket-Key", value: "x")]
        #expect(throws: ProbeTargetError.self) { try target.validate() }

        target.headers = []
        target.subprotocols = ["chat, other"]
        #expect(throws: ProbeTargetError.self) { try target.validate() }

        target.subprotocols = []
        target.origin = "https://a\nb"
        #expect(throws: ProbeTargetError.self) { try target.validate() }

        target.origin = nil
        target.path = "chat"
        #expect(throws: ProbeTargetError.self) { try target.validate() }
    }

    @Test("the Host header defaults to host:port and can be overridden")
    func hostHeader() {
        #expect(ProbeTarget(host: "127.0.0.1", port: 8080).effectiveHostHeader == "127.0.0.1:8080")
        #expect(ProbeTarget(host: "::1", port: 8080).effectiveHostHeader == "[::1]:8080")
        #expect(
            ProbeTarget(host: "10.0.0.5", port: 80, hostHeader: "chat.example.com").effectiveHostHeader
                == "chat.example.com"
        )
    }

    @Test("SNI is the server name or the host name, never an IP literal")
    func sni() {
        #expect(ProbeTarget(host: "127.0.0.1", port: 443, tls: true).effectiveServerName == nil)
        #expect(ProbeTarget(host: "::1", port: 443, tls: true).effectiveServerName == nil)
        #expect(ProbeTarget(host: "chat.example.com", port: 443, tls: true).effectiveServerName == "chat.example.com")
        #expect(
            ProbeTarget(host: "10.0.0.5", port: 443, tls: true, serverName: "chat.example.com").effectiveServerName
                == "chat.example.com"
        )
        #expect(ProbeTarget(host: "10.0.0.5", port: 443, tls: true, serverName: "10.0.0.6").effectiveServerName == nil)
    }

    @Test("the request head carries Host, Origin, offers and extra headers; extras replace same-named ones")
    func requestHead() {
        let target = ProbeTarget(
            host: "127.0.0.1",
            port: 8080,
            path: "/chat?x=1",
            origin: "https://app.example.com",
            headers: [
                ProbeHeader(name: "Authorization", value: "Bearer t"), ProbeHeader(name: "host", value: "vhost"),
            ],
            subprotocols: ["chat", "superchat"],
            extensions: ["permessage-deflate"]
        )
        let head = HandshakeRequest.head(for: target)
        #expect(head.method == .GET)
        #expect(head.uri == "/chat?x=1")
        #expect(head.version == .http1_1)
        #expect(head.headers["Host"] == ["vhost"])
        #expect(head.headers["Origin"] == ["https://app.example.com"])
        #expect(head.headers["Sec-WebSocket-Protocol"] == ["chat, superchat"])
        #expect(head.headers["Sec-WebSocket-Extensions"] == ["permessage-deflate"])
        #expect(head.headers["Authorization"] == ["Bearer t"])
        #expect(head.headers["User-Agent"] == ["haws-probe"])
        // NIO's upgrader adds these four itself.
        #expect(head.headers["Upgrade"].isEmpty && head.headers["Sec-WebSocket-Key"].isEmpty)

        let minimal = HandshakeRequest.head(for: ProbeTarget(host: "127.0.0.1", port: 80))
        #expect(minimal.headers["Host"] == ["127.0.0.1:80"])
        #expect(minimal.headers["Origin"].isEmpty && minimal.headers["Sec-WebSocket-Protocol"].isEmpty)
    }
}
