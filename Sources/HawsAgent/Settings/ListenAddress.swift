#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import NIOCore

/// Where `/metrics` listens: an IP address and a port, loopback unless another address is written out.
///
/// `9101` and `:9101` mean `127.0.0.1:9101`; `localhost:9101` too. Any other address must be an IP literal
/// (`0.0.0.0:9101`, `10.0.0.5:9101`, `[::]:9101`): the metrics name every backend and server, so exposing
/// them beyond the host is a decision made explicitly, and a host name that resolves differently later
/// must not silently widen it. Port 0 lets the kernel pick (tests).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(AgentSettingError) {
        let trimmed = text.trimmingWhitespace()
        var host = "127.0.0.1"
        var portText = trimmed
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                throw AgentSettingError(
                    .invalidAddress, "'\(text)': write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9101")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            portText = String(trimmed[trimmed.index(close, offsetBy: 2)...])
        } else if let colon = trimmed.lastIndex(of: ":") {
            let named = String(trimmed[..<colon])
            if !named.isEmpty { host = named == "localhost" ? "127.0.0.1" : named }
            portText = String(trimmed[trimmed.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw AgentSettingError(
                .invalidAddress, "'\(text)': expected [ADDRESS:]PORT with a port from 0 to 65535, e.g. 127.0.0.1:9101")
        }
        do {
            _ = try SocketAddress(ipAddress: host, port: port)
        } catch {
            throw AgentSettingError(
                .invalidAddress,
                "'\(text)': '\(host)' is not an IP address; write 127.0.0.1:\(port) (loopback), 0.0.0.0:\(port) (every IPv4 interface) or a specific IP"
            )
        }
        self.host = host
        self.port = port
    }

    /// Whether only this host can connect.
    public var isLoopback: Bool {
        host == "::1" || host.hasPrefix("127.")
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
