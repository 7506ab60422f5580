/// Every code `haws doctor` can report, with the long explanation `haws doctor --explain CODE` prints.
///
/// One home for the words: rules refer to codes by these constants, the README's table lists the same codes.
public struct DoctorRule: Sendable, Hashable {
    public var code: String
    public var title: String
    public var explanation: String
}

public enum DoctorCode {
    public static let timeoutTunnelMissing = "timeout-tunnel-missing"
    public static let timeoutTunnelZero = "timeout-tunnel-zero"
    public static let timeoutTunnelShort = "timeout-tunnel-short"
    public static let timeoutClientFinMissing = "timeout-client-fin-missing"
    public static let timeoutServerFinMissing = "timeout-server-fin-missing"
    public static let hardStopAfterMissing = "hard-stop-after-missing"
    public static let checkMissing = "check-missing"
    public static let checkNoUpgrade = "check-no-upgrade"
    public static let balanceRoundRobin = "balance-roundrobin"
    public static let serverMaxconnQueue = "server-maxconn-queue"
    public static let forwardforMissing = "forwardfor-missing"
    public static let httpServerClose = "http-server-close"
    public static let httpClose = "httpclose"
    public static let upgradeBlocked = "upgrade-blocked"
    public static let statsNoAuth = "stats-no-auth"
    public static let statsAllInterfaces = "stats-all-interfaces"
    public static let maxconnOverFDLimit = "maxconn-over-fd-limit"
    public static let maxconnMissing = "maxconn-missing"
    public static let timeoutHTTPRequestMissing = "timeout-http-request-missing"
    public static let configNotUnderstood = "config-not-understood"
    public static let configUnreadable = "config-unreadable"
    public static let haproxyAlert = "haproxy-alert"
    public static let haproxyWarning = "haproxy-warning"
    public static let haproxyCheckSkipped = "haproxy-check-skipped"
    public static let instanceUnreachable = "instance-unreachable"
    public static let oldWorkers = "old-workers"
    public static let probeFailedWhileUp = "probe-failed-while-up"
    public static let tunnelOlderThanTimeout = "tunnel-older-than-timeout"
    public static let connectionsNearMaxconn = "connections-near-maxconn"
    public static let serverQueue = "server-queue"
    public static let liveConfigMismatch = "live-config-mismatch"
    public static let maxconnLowered = "maxconn-lowered"
}

public enum DoctorCatalogue {
    public static func rule(_ code: String) -> DoctorRule? { rules.first { $0.code == code.lowercased() } }

    public static let rules: [DoctorRule] = [
        DoctorRule(
            code: DoctorCode.timeoutTunnelMissing, title: "no `timeout tunnel` on a WebSocket backend",
            explanation: """
                Once a request is upgraded to WebSocket, HAProxy treats the stream as a tunnel. `timeout tunnel` \
                "supersedes both the client and server timeouts once the connection becomes a tunnel" \
                (configuration.txt). Without it, the client and server timeouts stay in charge, so every WebSocket \
                that is quiet for `timeout client` or `timeout server` (50 s in the usual guide) is closed by \
                HAProxy, and every client reconnects. Set it in the `defaults` section the backend uses (or in the \
                backend): `timeout tunnel 1h`. It may be set in defaults, listen and backend, not in a frontend.
                """),
        DoctorRule(
            code: DoctorCode.timeoutTunnelZero, title: "`timeout tunnel 0`: tunnels never time out",
            explanation: """
                A timeout of 0 is no timeout. A tunnel whose peer vanished without a FIN (a phone leaving Wi-Fi, a \
                NAT dropping state) then holds its connection slot, two file descriptors and its buffers forever, \
                and after a reload keeps the old process alive. Use a finite value above the application's \
                ping interval, e.g. `timeout tunnel 1h`.
                """),
        DoctorRule(
            code: DoctorCode.timeoutTunnelShort, title: "`timeout tunnel` shorter than `timeout client`/`server`",
            explanation: """
                `timeout tunnel` replaces the client and server timeouts for upgraded streams. When it is shorter \
                than them, WebSockets are cut sooner than an idle plain HTTP request, which is almost never the \
                intent. Make it longer than the application's ping interval and than `timeout client`/`server`.
                """),
        DoctorRule(
            code: DoctorCode.timeoutClientFinMissing, title: "no `timeout client-fin` in front of WebSockets",
            explanation: """
                With a long `timeout tunnel`, a client that disappears after HAProxy sent a close, or that half \
                closes and stops acknowledging, keeps the tunnel half-open for the whole tunnel timeout. \
                configuration.txt: "it usually is a good idea to also set timeout client-fin" (sessions pile up in \
                FIN_WAIT). It may be set in defaults, frontend and listen: `timeout client-fin 30s`.
                """),
        DoctorRule(
            code: DoctorCode.timeoutServerFinMissing, title: "no `timeout server-fin` on a WebSocket backend",
            explanation: """
                The server-side twin of `timeout client-fin`: a backend that half-closes and never finishes keeps \
                the tunnel for the whole `timeout tunnel`. Set `timeout server-fin 30s` in defaults, listen or the \
                backend.
                """),
        DoctorRule(
            code: DoctorCode.hardStopAfterMissing, title: "no `hard-stop-after` in `global`",
            explanation: """
                On a reload, the old process (or old worker in master-worker mode) stops accepting and waits for \
                its connections to end. WebSocket tunnels can last days, so without `hard-stop-after` every reload \
                leaves a process behind holding tunnels, memory and file descriptors, with the old configuration; \
                reload ten times a day and they pile up. `hard-stop-after 30m` bounds it: after 30 minutes the \
                old process closes its remaining tunnels and exits (clients reconnect to the new one). Live, haws \
                doctor lists the old workers alive now, their age and the tunnels they hold (needs \
                --master-socket).
                """),
        DoctorRule(
            code: DoctorCode.checkMissing, title: "a WebSocket server without `check`",
            explanation: """
                A server without `check` is never tested: HAProxy always considers it UP and keeps sending \
                upgrades to it when it is dead. Add `check` to the server line (and see check-no-upgrade for a \
                check that tests the upgrade itself).
                """),
        DoctorRule(
            code: DoctorCode.checkNoUpgrade, title: "health check does not test the WebSocket upgrade",
            explanation: """
                `check` alone is a TCP connect: the server is UP when its port accepts, even when the application \
                behind it answers every upgrade with 500. `option httpchk` without `http-check expect status 101` \
                accepts any 2xx or 3xx. A check that proves the backend upgrades sends an upgrade request and \
                expects 101:
                    option httpchk
                    http-check send meth GET uri /chat ver HTTP/1.1 hdr Host ws.example hdr Connection Upgrade \
                hdr Upgrade websocket hdr Sec-WebSocket-Version 13 hdr Sec-WebSocket-Key dGhlIHNhbXBsZSBub25jZQ==
                    http-check expect status 101
                Live, haws doctor probes every server with a real RFC 6455 handshake and reports a server HAProxy \
                calls UP whose probe fails (probe-failed-while-up).
                """),
        DoctorRule(
            code: DoctorCode.balanceRoundRobin, title: "`balance roundrobin` for long-lived connections (advice)",
            explanation: """
                roundrobin (HAProxy's default) and static-rr spread new connections evenly, not open ones. After a \
                server restarts, or when the clients of a failed server reconnect together, the new tunnels land \
                in turn on every server, so the restarted one stays nearly empty while the others keep theirs. \
                `balance leastconn` sends each new tunnel to the server with the fewest, and the load evens out. \
                Advice, not an error: it never changes the exit code.
                """),
        DoctorRule(
            code: DoctorCode.serverMaxconnQueue, title: "server `maxconn` on a WebSocket backend",
            explanation: """
                A tunnel holds its server's connection slot for as long as it lives. With `maxconn N` on a server, \
                the N+1-th upgrade waits in the queue until a tunnel closes, which may be hours; after \
                `timeout queue` (or `timeout connect` when unset) the client gets a 503. Size maxconn for the \
                tunnels a server really holds, and set `timeout queue` short so clients fail fast and retry.
                """),
        DoctorRule(
            code: DoctorCode.forwardforMissing, title: "no `option forwardfor` (advice)",
            explanation: """
                Without `option forwardfor`, a WebSocket backend sees HAProxy's address as the client's, on the \
                upgrade request as on any request. If the application logs, rate-limits or authorises by client \
                address, add `option forwardfor` (X-Forwarded-For on the upgrade request). Advice: only the \
                application knows whether it needs the address.
                """),
        DoctorRule(
            code: DoctorCode.httpServerClose, title: "`option http-server-close` (what it means for upgrades)",
            explanation: """
                `option http-server-close` closes the server-side connection after each response and keeps the \
                client side alive. It does not cut WebSockets: a 101 response switches the stream to tunnel mode \
                and the tunnel lives until one side closes or `timeout tunnel` expires. What it costs: every plain \
                HTTP request opens a new server connection (no reuse). Harmless for WebSockets; listed so the \
                guide's setting is understood.
                """),
        DoctorRule(
            code: DoctorCode.httpClose, title: "`option httpclose` (what it means for upgrades)",
            explanation: """
                `option httpclose` closes the client or server connection after each response (the frontend's \
                for clients, the backend's for servers) and adds `Connection: close` where missing. A 101 upgrade \
                still becomes a tunnel, but every plain request before it needs a new connection, and clients that \
                open a page then upgrade pay two handshakes. Prefer the default keep-alive or \
                `option http-server-close`.
                """),
        DoctorRule(
            code: DoctorCode.upgradeBlocked, title: "an `http-request` rule that blocks the upgrade",
            explanation: """
                A WebSocket upgrade needs the `Connection: Upgrade` and `Upgrade: websocket` request headers to \
                reach the server. `http-request del-header Upgrade` / `Connection`, or `set-header Connection \
                close`, remove them, so the server answers a plain 200/400 and no tunnel opens; `deny`, `reject` or \
                `tarpit` with a condition on the Upgrade header refuse it. Unconditional rules are CRITICAL, \
                conditional ones WARNING (check the condition excludes your WebSocket paths).
                """),
        DoctorRule(
            code: DoctorCode.statsNoAuth, title: "stats page without `stats auth`",
            explanation: """
                The stats page shows every backend and server address. Without `stats auth user:password`, anyone \
                who reaches the port reads it; with `stats admin` and no auth, anyone can set servers to drain or \
                maintenance (CRITICAL). Add `stats auth`, and restrict `stats admin if LOCALHOST` or to an ACL.
                """),
        DoctorRule(
            code: DoctorCode.statsAllInterfaces, title: "stats page bound on all interfaces",
            explanation: """
                A stats page on a frontend bound to `*:80` (or `:80`, `0.0.0.0`, `::`) is reachable from every \
                network the load balancer is on, the internet included. Serve it from its own `listen stats` bound \
                to 127.0.0.1 or a management address, e.g. `bind 127.0.0.1:8404`.
                """),
        DoctorRule(
            code: DoctorCode.maxconnOverFDLimit, title: "global `maxconn` above what the file-descriptor limit allows",
            explanation: """
                Each proxied connection uses two file descriptors (client and server), so HAProxy needs about \
                2 x maxconn descriptors plus its listeners. When `ulimit-n` or the process's hard limit is lower, \
                HAProxy lowers maxconn or refuses to start: tunnels beyond the real limit are refused. Lower \
                `maxconn` to (limit - 100) / 2, or raise the limit (LimitNOFILE= in the systemd unit).
                """),
        DoctorRule(
            code: DoctorCode.maxconnMissing, title: "no global `maxconn` (advice)",
            explanation: """
                Without a global `maxconn`, HAProxy derives it from the file-descriptor limit (about half of it). \
                Long-lived tunnels make the process limit the real capacity: state it, so that a changed ulimit \
                does not silently change how many tunnels the box accepts.
                """),
        DoctorRule(
            code: DoctorCode.timeoutHTTPRequestMissing, title: "no `timeout http-request`",
            explanation: """
                Without `timeout http-request`, a client that sends its request headers slowly (slowloris) holds a \
                connection for `timeout client`, and with WebSocket-sized `timeout client` values that is long. \
                `timeout http-request 10s` bounds the wait for the complete request, the upgrade request included.
                """),
        DoctorRule(
            code: DoctorCode.configNotUnderstood, title: "a line haws read differently or not at all",
            explanation: """
                haws reads the configuration as HAProxy does, but some things depend on the binary (`.if \
                feature(...)`) or on the environment at start (an unset variable). haws says what it assumed; this \
                is never an error of the configuration.
                """),
        DoctorRule(
            code: DoctorCode.configUnreadable, title: "a configuration file cannot be read",
            explanation: "The file or directory given with -f does not exist or cannot be read: exit 3 (UNKNOWN)."),
        DoctorRule(
            code: DoctorCode.haproxyAlert, title: "`haproxy -c` reports an alert",
            explanation: """
                haws runs `haproxy -c -f ...` on the same files when haproxy is installed and folds in its output. \
                An ALERT means HAProxy refuses the configuration: a reload with it fails.
                """),
        DoctorRule(
            code: DoctorCode.haproxyWarning, title: "`haproxy -c` reports a warning",
            explanation: "A WARNING of `haproxy -c` on the same files: the configuration loads, but HAProxy changed or ignored something."),
        DoctorRule(
            code: DoctorCode.haproxyCheckSkipped, title: "`haproxy -c` could not run",
            explanation: "haproxy is not installed here (or --no-haproxy-check was given): only haws's own rules ran."),
        DoctorRule(
            code: DoctorCode.instanceUnreachable, title: "the live instance cannot be read",
            explanation: "The runtime socket or stats page given does not answer: the live checks did not run (UNKNOWN)."),
        DoctorRule(
            code: DoctorCode.oldWorkers, title: "old workers still alive after a reload",
            explanation: """
                In master-worker mode, `show proc` on the master socket lists workers from before a reload. They \
                keep serving the tunnels they held, with the old configuration, until the last one closes or \
                `hard-stop-after` expires. haws lists each old worker's pid, age and tunnels. CRITICAL when a \
                worker is older than `hard-stop-after` (it should be gone).
                """),
        DoctorRule(
            code: DoctorCode.probeFailedWhileUp, title: "HAProxy says UP, the WebSocket handshake fails",
            explanation: """
                haws probed the server with a full RFC 6455 handshake (the `[probes]` settings of --config) and it \
                failed while HAProxy's health check calls the server UP: clients routed there fail to upgrade. \
                WARNING per server, CRITICAL when no UP server of the backend passes. Fix the check (see \
                check-no-upgrade) and the server.
                """),
        DoctorRule(
            code: DoctorCode.tunnelOlderThanTimeout, title: "tunnels older than `timeout tunnel` (advice)",
            explanation: """
                `timeout tunnel` is an inactivity timeout, not a maximum age: a tunnel that carries traffic lives \
                on. haws compares the oldest tunnel of each backend (from `show sess all`) with it, so an operator \
                sees how long tunnels really live, which is what a reload without `hard-stop-after` waits for.
                """),
        DoctorRule(
            code: DoctorCode.connectionsNearMaxconn, title: "connections close to `maxconn`",
            explanation: """
                `show info` CurrConns against Maxconn: at 80 % WARNING, at 95 % CRITICAL. Tunnels hold their \
                connections, so the process fills up and new upgrades wait in the kernel's accept queue.
                """),
        DoctorRule(
            code: DoctorCode.serverQueue, title: "upgrades queued on a WebSocket server",
            explanation: """
                A server of a WebSocket backend has requests in its queue (`qcur`): its `maxconn` slots are held \
                by tunnels, and new upgrades wait for one to close (see server-maxconn-queue).
                """),
        DoctorRule(
            code: DoctorCode.liveConfigMismatch, title: "the file is not what the instance runs",
            explanation: """
                A backend or server exists in the running instance but not in the file, or the other way round: \
                the file changed since the last reload (or doctor was pointed at another instance). The file's \
                findings describe the next reload, not the running process.
                """),
        DoctorRule(
            code: DoctorCode.maxconnLowered, title: "HAProxy runs with a lower maxconn than the file asks",
            explanation: """
                `show info` Maxconn is lower than the global `maxconn` of the file: HAProxy lowered it to fit its \
                file-descriptor limit (Ulimit-n). The capacity you configured is not the capacity you have.
                """),
    ]
}
