import HawsCore

/// What a continuous probe is about: one server of one HAProxy instance, or a URL probed through HAProxy's frontend.
///
/// Results, statistics and events are kept per key rather than per URL: two servers may share an address (the same
/// application listed in two backends), and a server keeps its history when its address changes.
public struct ProbeKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The HAProxy instance the server belongs to; for a frontend probe, the instance it is reported under.
    public var instance: String
    /// The server, for server probes.
    public var server: ServerKey?
    /// The `ws://` or `wss://` URL, for probes through the frontend.
    public var frontendURL: String?

    /// A server of `instance`.
    public static func server(_ server: ServerKey, instance: String) -> ProbeKey {
        ProbeKey(instance: instance, server: server, frontendURL: nil)
    }

    /// A URL probed through HAProxy itself (`--probe-frontend`, `[probes] frontend`).
    public static func frontend(_ url: String, instance: String) -> ProbeKey {
        ProbeKey(instance: instance, server: nil, frontendURL: url)
    }

    /// Whether this is a probe through the frontend rather than of one server.
    public var isFrontend: Bool { self.server == nil }

    /// `ws_chat/s1` or `frontend ws://127.0.0.1:80/chat`: the `object` of findings and ``MonitorEvent``s.
    public var object: String {
        if let server = self.server {
            return server.description
        }
        return "frontend \(self.frontendURL ?? "")"
    }

    public var description: String {
        self.instance.isEmpty ? self.object : "\(self.instance) \(self.object)"
    }

    /// Instance first, then frontend probes before servers, then by backend and server name.
    public static func < (lhs: ProbeKey, rhs: ProbeKey) -> Bool {
        if lhs.instance != rhs.instance {
            return lhs.instance < rhs.instance
        }
        switch (lhs.server, rhs.server) {
        case (nil, nil): return (lhs.frontendURL ?? "") < (rhs.frontendURL ?? "")
        case (nil, _?): return true
        case (_?, nil): return false
        case (let left?, let right?): return left < right
        }
    }
}
