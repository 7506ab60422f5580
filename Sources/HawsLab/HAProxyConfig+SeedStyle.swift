extension HAProxyConfig {
    /// The shape of the common "WebSockets behind HAProxy" guide, which is what most users run.
    ///
    /// haws must work on exactly this: a stats page with basic auth on the one frontend, no runtime socket,
    /// plain TCP `check`s, `timeout connect 5000` and 50 s client/server timeouts, no `timeout tunnel`.
    /// Only the bind address differs (127.0.0.1 and a free port instead of `*:80`).
    public static func seedStyle(
        frontendPort: Int,
        backendName: String = "ws_backend",
        servers: [(name: String, port: Int)],
        statsUser: String = "admin",
        statsPassword: String = "password"
    ) -> HAProxyConfig {
        HAProxyConfig(
            global: Global(statsSockets: [], maxconn: 4096),
            defaults: Defaults(
                logGlobal: true,
                timeoutConnect: .milliseconds(5000),
                timeoutClient: .milliseconds(50000),
                timeoutServer: .milliseconds(50000),
                timeoutTunnel: nil,
                retries: nil
            ),
            frontend: Frontend(
                name: "http_front",
                bindPort: frontendPort,
                defaultBackend: backendName,
                statsPage: StatsPage(
                    uri: "/stats",
                    refresh: .seconds(10),
                    user: statsUser,
                    password: statsPassword,
                    adminCondition: "TRUE"
                )
            ),
            backends: [
                Backend(
                    name: backendName,
                    healthCheckPath: nil,
                    servers: servers.map { Server(name: $0.name, port: $0.port, check: .haproxyDefault) }
                )
            ]
        )
    }
}
