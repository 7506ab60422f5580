/// Which backends (and listens) of a configuration serve WebSockets, and why haws thinks so.
///
/// HAProxy itself does not know: any `mode http` proxy upgrades when asked. The rules about tunnels apply to
/// the proxies named with `--websocket-backend` when given; otherwise to those whose name says so (a word
/// `ws`, `wss`, `websocket`, `socket`, `realtime`, `live` or `stream` in it), those a `use_backend` rule chooses
/// on an `Upgrade` / `websocket` condition, those whose health check expects 101 or sends `Upgrade`, and (live)
/// those that hold tunnels now.
public enum WebSocketBackends {
    static let nameWords: Set<String> = ["ws", "wss", "websocket", "websockets", "socket", "sockets", "realtime", "live", "stream", "socketio"]

    public static func detect(
        in config: ParsedConfig, explicit: [String] = [], liveTunnels: Set<String> = []
    ) -> [String: String] {
        var found: [String: String] = [:]
        let candidates = config.proxies.filter { $0.kind != .frontend }
        if !explicit.isEmpty {
            for proxy in candidates where explicit.contains(proxy.name ?? "") {
                found[proxy.name!] = "named with --websocket-backend"
            }
            return found
        }
        for proxy in candidates {
            guard let name = proxy.name else { continue }
            let words = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            if words.contains(where: nameWords.contains) || name.lowercased().contains("websocket") {
                found[name] = "its name"
            } else if liveTunnels.contains(name) {
                found[name] = "it holds WebSocket tunnels now"
            } else if proxy.all("http-check").contains(where: { mentionsUpgrade($0.words) || $0.words.contains("101") }) {
                found[name] = "its health check"
            }
        }
        for frontend in config.proxies where frontend.kind != .backend {
            for directive in frontend.effective where directive.keyword == "use_backend" && directive.words.count >= 2 {
                let backend = directive.words[1]
                if found[backend] == nil, mentionsUpgrade(directive.words), config.proxy(named: backend) != nil {
                    found[backend] = "`use_backend` on an Upgrade condition (\(directive.location))"
                }
            }
        }
        return found
    }

    static func mentionsUpgrade(_ words: [String]) -> Bool {
        let text = words.joined(separator: " ").lowercased()
        return text.contains("upgrade") || text.contains("websocket")
    }
}
