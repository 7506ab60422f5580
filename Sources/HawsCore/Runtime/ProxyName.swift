/// A backend, frontend or server name that is safe to put into a runtime API command.
///
/// HAProxy names only contain `[A-Za-z0-9._:-]`; the runtime API splits commands on `;` and lines on
/// newlines, so anything else in a name could smuggle a second command. Every name that goes into a
/// command is built through this type: there is no other way to make a ``RuntimeCommand``.
public struct ProxyName: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ value: String) throws(InvalidProxyName) {
        guard !value.isEmpty else { throw InvalidProxyName(name: value, reason: "it is empty") }
        guard value.utf8.count <= 255 else { throw InvalidProxyName(name: value, reason: "it is longer than 255 bytes") }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                throw InvalidProxyName(name: value, reason: "HAProxy names only contain letters, digits and . _ : -")
            }
        }
        self.value = value
    }

    public var description: String { value }
}

public struct InvalidProxyName: Error, Hashable, CustomStringConvertible {
    public let name: String
    public let reason: String

    public var description: String {
        let shown = name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
        return "refusing name \"\(shown)\": \(reason)"
    }
}

/// A validated `backend/server` pair, parsed from user input such as `ws_chat/s1`.
public struct ServerReference: Sendable, Hashable, CustomStringConvertible {
    public let backend: ProxyName
    public let server: ProxyName

    public init(backend: ProxyName, server: ProxyName) {
        self.backend = backend
        self.server = server
    }

    public init(parsing text: String) throws(InvalidProxyName) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw InvalidProxyName(name: text, reason: "expected BACKEND/SERVER")
        }
        self.backend = try ProxyName(String(parts[0]))
        self.server = try ProxyName(String(parts[1]))
    }

    public var key: ServerKey { ServerKey(backend: backend.value, server: server.value) }
    public var description: String { "\(backend)/\(server)" }
}
