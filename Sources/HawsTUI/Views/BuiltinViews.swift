/// The shipped views, compiled in so the binary needs no resource files. Each string is the exact
/// content of `Dashboards/views/<name>`; `ViewFileTests` fails when the two drift apart.
/// After editing a file there, paste its new content here (between the `#"""` lines).
enum BuiltinViews {
    static let files: [(name: String, json: String)] = [
        (
            "frontends.json",
            #"""
            {
              "name": "frontends",
              "description": "Frontends: sessions against their limit, probes through them, rates, errors and denials.",
              "kind": "frontends",
              "order": 4,
              "columns": [
                { "id": "name", "title": "FRONTEND", "width": 20, "align": "left" },
                { "id": "state", "title": "STATE", "width": 6, "align": "left" },
                { "id": "mode", "title": "MODE", "width": 5, "align": "left" },
                { "id": "probe", "title": "PROBE", "width": 5, "align": "left" },
                { "id": "handshake_p95", "title": "HS p95", "width": 6, "align": "right" },
                { "id": "sessions", "title": "SESS", "width": 6, "align": "right" },
                { "id": "limit", "title": "LIMIT", "width": 6, "align": "right" },
                { "id": "sess_rate", "title": "SES/s", "width": 6, "align": "right" },
                { "id": "req_rate", "title": "REQ/s", "width": 6, "align": "right" },
                { "id": "errors", "title": "REQERR", "width": 6, "align": "right" },
                { "id": "denied", "title": "DENIED", "width": 6, "align": "right" },
                { "id": "in_rate", "title": "IN/s", "width": 6, "align": "right" },
                { "id": "out_rate", "title": "OUT/s", "width": 6, "align": "right" }
              ],
              "sort": { "column": "config" }
            }
            """#
        ),
        (
            "servers.json",
            #"""
            {
              "name": "servers",
              "description": "Backends and their servers: state, checks, load and WebSocket tunnels.",
              "kind": "servers",
              "order": 1,
              "columns": [
                { "id": "name", "title": "BACKEND/SERVER", "width": 20, "align": "left" },
                { "id": "state", "title": "STATE", "width": 8, "align": "left" },
                { "id": "check", "title": "CHECK", "width": 7, "align": "left" },
                { "id": "weight", "title": "WGHT", "width": 4, "align": "right" },
                { "id": "sessions", "title": "SESS", "width": 5, "align": "right" },
                { "id": "tunnels", "title": "TUNNELS", "width": 7, "align": "right" },
                { "id": "upgrades", "title": "UPG/s", "width": 5, "align": "right" },
                { "id": "tunnel_age", "title": "OLDEST", "width": 6, "align": "right" },
                { "id": "probe", "title": "PROBE", "width": 5, "align": "left" },
                { "id": "handshake_p95", "title": "HS p95", "width": 6, "align": "right" },
                { "id": "req_rate", "title": "REQ/s", "width": 6, "align": "right" },
                { "id": "errors", "title": "ERR", "width": 5, "align": "right" },
                { "id": "queue", "title": "QUEUE", "width": 5, "align": "right" },
                { "id": "spark_tunnels", "title": "TUNNELS (5 min)", "width": 16, "align": "left" }
              ],
              "sort": { "column": "config" }
            }
            """#
        ),
        (
            "traffic.json",
            #"""
            {
              "name": "traffic",
              "description": "Request, session and upgrade rates, errors and queues.",
              "kind": "servers",
              "order": 3,
              "columns": [
                { "id": "name", "title": "BACKEND/SERVER", "width": 20, "align": "left" },
                { "id": "state", "title": "STATE", "width": 8, "align": "left" },
                { "id": "req_rate", "title": "REQ/s", "width": 6, "align": "right" },
                { "id": "sess_rate", "title": "SES/s", "width": 6, "align": "right" },
                { "id": "upgrades", "title": "UPG/s", "width": 6, "align": "right" },
                { "id": "errors", "title": "ERR", "width": 6, "align": "right" },
                { "id": "err_rate", "title": "ERR/s", "width": 5, "align": "right" },
                { "id": "queue", "title": "QUEUE", "width": 5, "align": "right" },
                { "id": "in_rate", "title": "IN/s", "width": 6, "align": "right" },
                { "id": "out_rate", "title": "OUT/s", "width": 6, "align": "right" },
                { "id": "spark_upgrades", "title": "UPGRADES/s (5 min)", "width": 18, "align": "left" }
              ],
              "sort": { "column": "req_rate", "direction": "desc" }
            }
            """#
        ),
        (
            "tunnels.json",
            #"""
            {
              "name": "tunnels",
              "description": "Where the WebSocket tunnels are, how old they are, and drains in progress.",
              "kind": "servers",
              "order": 2,
              "columns": [
                { "id": "name", "title": "BACKEND/SERVER", "width": 20, "align": "left" },
                { "id": "state", "title": "STATE", "width": 8, "align": "left" },
                { "id": "tunnels", "title": "TUNNELS", "width": 7, "align": "right" },
                { "id": "tunnel_age", "title": "OLDEST", "width": 6, "align": "right" },
                { "id": "upgrades", "title": "UPG/s", "width": 5, "align": "right" },
                { "id": "drain", "title": "DRAIN", "width": 22, "align": "left" },
                { "id": "spark_tunnels", "title": "TUNNELS (5 min)", "width": 30, "align": "left" }
              ],
              "sort": { "column": "tunnels", "direction": "desc" }
            }
            """#
        ),
    ]
}
