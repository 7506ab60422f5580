import Foundation
import HawsDoctor

/// The guide's setup, the shape haws grew from, validated with `haproxy -c` on 2.6.12.
let guideConfig = """
    global
        log /dev/log local0
        maxconn 4000

    defaults
        mode http
        log global
        timeout connect 5000
        timeout client 50000
        timeout server 50000

    frontend http
        bind *:80
        stats enable
        stats uri /stats
        stats refresh 10s
        stats auth user:pass
        default_backend ws

    backend ws
        balance roundrobin
        option forwardfor
        option http-server-close
        server ws1 10.0.0.1:8080 check
        server ws2 10.0.0.2:8080 check

    """

func parse(_ text: String, file: String = "haproxy.cfg", environment: [String: String] = [:], version: String? = "2.6.12") -> ParsedConfig {
    ConfigReader(environment: environment, haproxyVersion: version).read([ConfigSource(path: file, text: text)])
}

func findings(_ text: String, context: DoctorContext = DoctorContext(fileDescriptorLimit: 20_000)) -> [DoctorFinding] {
    ConfigRules.evaluate(parse(text), context: context)
}

func codes(_ text: String, context: DoctorContext = DoctorContext(fileDescriptorLimit: 20_000)) -> Set<String> {
    Set(findings(text, context: context).map(\.code))
}

/// The guide with `lines` inserted after the line that starts with `after` (trimmed).
func guide(adding lines: [String], after anchor: String) -> String {
    var out: [String] = []
    for line in guideConfig.split(separator: "\n", omittingEmptySubsequences: false) {
        out.append(String(line))
        if line.trimmingCharacters(in: .whitespaces).hasPrefix(anchor) {
            out += lines.map { "    " + $0 }
        }
    }
    return out.joined(separator: "\n")
}

/// The guide without the lines that start with `prefix` (trimmed).
func guide(removing prefix: String, from text: String = guideConfig) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
        .joined(separator: "\n")
}

/// A guide that passes every rule that has a clean form: tunnel and fin timeouts, hard-stop-after, an upgrade
/// health check, leastconn, stats on loopback.
let healthyConfig = """
    global
        maxconn 4000
        hard-stop-after 30m

    defaults
        mode http
        timeout connect 5s
        timeout client 50s
        timeout server 50s
        timeout tunnel 1h
        timeout client-fin 30s
        timeout server-fin 30s
        timeout http-request 10s

    frontend fe
        bind 127.0.0.1:80
        stats enable
        stats uri /stats
        stats auth user:pass
        default_backend ws

    backend ws
        balance leastconn
        option forwardfor
        option httpchk
        http-check send meth GET uri /chat ver HTTP/1.1 hdr Host x hdr Connection Upgrade hdr Upgrade websocket
        http-check expect status 101
        server ws1 10.0.0.1:8080 check

    """
