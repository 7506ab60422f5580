import Foundation
import HawsDoctor
import Testing

/// One test per rule: a config that triggers it, and one that does not.
@Suite struct ConfigRulesTests {
    @Test func theGuideSetupGetsTheWebSocketFindings() throws {
        let found = findings(guideConfig)
        let byCode = Dictionary(grouping: found, by: \.code)
        let tunnel = try #require(byCode[DoctorCode.timeoutTunnelMissing]?.first)
        #expect(tunnel.severity == .critical)
        #expect(tunnel.section == "backend ws")
        #expect(tunnel.line == 20)
        #expect(tunnel.message.contains("50s"))
        #expect(tunnel.fix?.contains("timeout tunnel 1h") == true)
        #expect(tunnel.fix?.contains("haproxy.cfg:5") == true)  // the defaults section it inherits
        #expect(Set(found.map(\.code)) == [
            DoctorCode.timeoutTunnelMissing, DoctorCode.timeoutClientFinMissing, DoctorCode.timeoutServerFinMissing,
            DoctorCode.hardStopAfterMissing, DoctorCode.checkNoUpgrade, DoctorCode.balanceRoundRobin,
            DoctorCode.httpServerClose, DoctorCode.statsAllInterfaces, DoctorCode.timeoutHTTPRequestMissing,
        ])
        let report = DoctorReport(files: ["haproxy.cfg"], instances: [], haproxyCheck: .init(ran: false), findings: found)
        #expect(report.verdict == .critical)
        #expect(report.findings.first?.severity == .critical)
        #expect(report.findings.last?.severity == .info)
    }

    @Test func aHealthyConfigHasNoFindings() {
        #expect(findings(healthyConfig).isEmpty, "\(findings(healthyConfig).map(\.message))")
    }

    @Test func tunnelTimeoutZeroAndShort() {
        let zero = healthyConfig.replacingOccurrences(of: "timeout tunnel 1h", with: "timeout tunnel 0")
        #expect(codes(zero) == [DoctorCode.timeoutTunnelZero])
        let short = healthyConfig.replacingOccurrences(of: "timeout tunnel 1h", with: "timeout tunnel 20s")
        #expect(codes(short) == [DoctorCode.timeoutTunnelShort])
        let missing = guide(removing: "timeout tunnel", from: healthyConfig)
        #expect(codes(missing) == [DoctorCode.timeoutTunnelMissing])
    }

    @Test func tunnelTimeoutOnlyForWebSocketBackends() {
        let api = guideConfig.replacingOccurrences(of: "backend ws", with: "backend api")
            .replacingOccurrences(of: "default_backend ws", with: "default_backend api")
        #expect(!codes(api).contains(DoctorCode.timeoutTunnelMissing))
        #expect(codes(api, context: DoctorContext(websocketBackends: ["api"])).contains(DoctorCode.timeoutTunnelMissing))
        #expect(codes(api, context: DoctorContext(liveTunnelBackends: ["api"])).contains(DoctorCode.timeoutTunnelMissing))
        let routed = api.replacingOccurrences(
            of: "default_backend api", with: "use_backend api if { hdr(Upgrade) -i websocket }")
        #expect(codes(routed).contains(DoctorCode.timeoutTunnelMissing))
    }

    @Test func finTimeouts() {
        #expect(codes(guide(removing: "timeout client-fin", from: healthyConfig)) == [DoctorCode.timeoutClientFinMissing])
        #expect(codes(guide(removing: "timeout server-fin", from: healthyConfig)) == [DoctorCode.timeoutServerFinMissing])
    }

    @Test func hardStopAfter() throws {
        let missing = findings(guide(removing: "hard-stop-after", from: healthyConfig))
        #expect(missing.map(\.code) == [DoctorCode.hardStopAfterMissing])
        #expect(missing.first?.line == 1)
        #expect(missing.first?.section == "global")
    }

    @Test func healthChecks() {
        // check alone, httpchk without expect 101, no check at all
        let tcp = guide(removing: "option httpchk", from: guide(removing: "http-check", from: healthyConfig))
        #expect(codes(tcp) == [DoctorCode.checkNoUpgrade])
        let noExpect = guide(removing: "http-check expect", from: healthyConfig)
        #expect(codes(noExpect) == [DoctorCode.checkNoUpgrade])
        let noCheck = healthyConfig.replacingOccurrences(of: "10.0.0.1:8080 check", with: "10.0.0.1:8080")
        #expect(codes(noCheck) == [DoctorCode.checkMissing])
        let defaultServer = noCheck.replacingOccurrences(of: "    balance leastconn", with: "    balance leastconn\n    default-server check")
        #expect(codes(defaultServer).isEmpty)
        let rstatus = healthyConfig.replacingOccurrences(of: "expect status 101", with: "expect rstatus ^101")
        #expect(codes(rstatus).isEmpty)
    }

    @Test func balanceIsAdvice() throws {
        let roundRobin = healthyConfig.replacingOccurrences(of: "balance leastconn", with: "balance roundrobin")
        let found = try #require(findings(roundRobin).first)
        #expect(found.code == DoctorCode.balanceRoundRobin && found.severity == .info)
        #expect(codes(guide(removing: "balance", from: healthyConfig)) == [DoctorCode.balanceRoundRobin])
        #expect(codes(healthyConfig.replacingOccurrences(of: "balance leastconn", with: "balance static-rr")) == [DoctorCode.balanceRoundRobin])
        #expect(codes(healthyConfig.replacingOccurrences(of: "balance leastconn", with: "balance source")).isEmpty)
    }

    @Test func serverMaxconnWithAndWithoutTimeoutQueue() throws {
        let limited = healthyConfig.replacingOccurrences(of: "10.0.0.1:8080 check", with: "10.0.0.1:8080 check maxconn 100")
        let warning = try #require(findings(limited).first)
        #expect(warning.code == DoctorCode.serverMaxconnQueue && warning.severity == .warning)
        #expect(warning.message.contains("5s"))  // timeout connect stands in
        let queued = limited.replacingOccurrences(of: "    balance leastconn", with: "    balance leastconn\n    timeout queue 2s")
        #expect(try #require(findings(queued).first).severity == .info)
    }

    @Test func forwardforAndConnectionOptions() {
        #expect(codes(guide(removing: "option forwardfor", from: healthyConfig)) == [DoctorCode.forwardforMissing])
        let onFrontend = guide(removing: "option forwardfor", from: healthyConfig)
            .replacingOccurrences(of: "    default_backend ws", with: "    option forwardfor\n    default_backend ws")
        #expect(codes(onFrontend).isEmpty)
        let serverClose = healthyConfig.replacingOccurrences(of: "option forwardfor", with: "option forwardfor\n    option http-server-close")
        #expect(codes(serverClose) == [DoctorCode.httpServerClose])
        let close = healthyConfig.replacingOccurrences(of: "    stats enable", with: "    option httpclose\n    stats enable")
        #expect(codes(close) == [DoctorCode.httpClose])
    }

    @Test func requestRulesThatBlockUpgrades() throws {
        let unconditional = healthyConfig.replacingOccurrences(
            of: "    default_backend ws", with: "    http-request del-header Upgrade\n    default_backend ws")
        let critical = try #require(findings(unconditional).first)
        #expect(critical.code == DoctorCode.upgradeBlocked && critical.severity == .critical)
        let conditional = healthyConfig.replacingOccurrences(
            of: "    default_backend ws", with: "    http-request deny if { hdr(upgrade) -i websocket } !{ src 10.0.0.0/8 }\n    default_backend ws")
        #expect(try #require(findings(conditional).first).severity == .warning)
        let harmless = healthyConfig.replacingOccurrences(
            of: "    default_backend ws", with: "    http-request del-header X-Forwarded-For\n    http-request set-header Connection upgrade\n    default_backend ws")
        #expect(codes(harmless).isEmpty)
        let closeHeader = healthyConfig.replacingOccurrences(
            of: "    balance leastconn", with: "    balance leastconn\n    http-request set-header Connection close")
        #expect(codes(closeHeader) == [DoctorCode.upgradeBlocked])
    }

    @Test func statsPage() throws {
        let noAuth = guide(removing: "stats auth", from: healthyConfig)
        let warning = try #require(findings(noAuth).first)
        #expect(warning.code == DoctorCode.statsNoAuth && warning.severity == .warning)
        let openAdmin = noAuth.replacingOccurrences(of: "    stats enable", with: "    stats enable\n    stats admin if TRUE")
        #expect(try #require(findings(openAdmin).first).severity == .critical)
        let adminWithAuth = healthyConfig.replacingOccurrences(of: "    stats enable", with: "    stats enable\n    stats admin if TRUE")
        #expect(codes(adminWithAuth).isEmpty)
        for bind in ["*:80", ":80", "0.0.0.0:80", "[::]:80", ":::80", "ipv4@:80"] {
            let wide = healthyConfig.replacingOccurrences(of: "bind 127.0.0.1:80", with: "bind \(bind)")
            #expect(codes(wide) == [DoctorCode.statsAllInterfaces], "\(bind)")
        }
        let noStats = guide(removing: "stats", from: healthyConfig).replacingOccurrences(of: "bind 127.0.0.1:80", with: "bind *:80")
        #expect(codes(noStats).isEmpty)
    }

    @Test func globalMaxconnAgainstFileDescriptors() throws {
        let big = healthyConfig.replacingOccurrences(of: "maxconn 4000", with: "maxconn 50000")
        let warning = try #require(findings(big).first)
        #expect(warning.code == DoctorCode.maxconnOverFDLimit)
        #expect(warning.fix?.contains("maxconn 9950") == true)
        #expect(codes(big, context: DoctorContext(fileDescriptorLimit: 200_000)).isEmpty)
        let ulimit = healthyConfig.replacingOccurrences(of: "maxconn 4000", with: "maxconn 4000\n    ulimit-n 2000")
        #expect(codes(ulimit) == [DoctorCode.maxconnOverFDLimit])
        let missing = try #require(findings(guide(removing: "maxconn", from: healthyConfig)).first)
        #expect(missing.code == DoctorCode.maxconnMissing && missing.severity == .info)
        #expect(missing.message.contains("10000"))
    }

    @Test func httpRequestTimeout() {
        #expect(codes(guide(removing: "timeout http-request", from: healthyConfig)) == [DoctorCode.timeoutHTTPRequestMissing])
    }

    @Test func everyCodeHasAnExplanation() {
        let all = DoctorCatalogue.rules.map(\.code)
        #expect(Set(all).count == all.count)
        #expect(DoctorCatalogue.rule("TIMEOUT-TUNNEL-MISSING")?.explanation.contains("supersedes") == true)
        #expect(DoctorCatalogue.rule("nope") == nil)
    }
}
