import Testing
@testable import HawsCore

/// The parsers on real HAProxy 3.0.11 outputs (Debian 13's LTS), next to the 2.6.12 ones in
/// `RuntimeOutputParserTests` and `StatsCSVParserTests`.
///
/// Captured by `Scripts/capture-haproxy-fixtures.py` from a lab with `ws_chat` (s1..s3, roundrobin, TCP checks),
/// 5 HTTP/1.1 WebSocket tunnels and 4 HTTP/2 (RFC 8441) ones, plus one plain GET still waiting for its answer.
/// The HTTP/2 tunnels enter `fe_main`, leave through `via_h2` (server `h2hop`, `proto h2`) into `fe_h2` (`bind ...
/// proto h2`) of the same HAProxy and from there reach `ws_chat`: each is one stream on `via_h2/h2hop` and one on
/// `ws_chat/sN`.
@Suite struct HAProxy30FixtureTests {
    static let version = "3.0.11"

    static func fixture(_ name: String) throws -> String {
        try Fixture.text(name, version: version)
    }

    @Test func showInfo() throws {
        let info = InfoParser.parse(try Self.fixture("cli_show_info.txt"))
        #expect(info.pid == 30248)
        #expect(info.version == "3.0.11-9e587df")
        #expect(info.node == "vm")
        #expect(info.uptimeSeconds == 13)
        #expect(info.currentConnections == 14)
        #expect(info.maxConnections == 9972)
        #expect(info.isStopping == false)
        #expect(info.fields["Nbthread"] == "2")
    }

    @Test func showStatHasTheColumnsOf3_0() throws {
        let table = try StatsCSVParser.parse(try Self.fixture("cli_show_stat.txt"))
        // 2.6.12: 103 static columns, `-`, 24 module columns; 3.0.11 appends 10 static ones (srid, sess_other,
        // h1sess...) before `-`. Parsing by header name reads both.
        #expect(table.header.names.count == 138)
        #expect(table.header.index(of: "-") == 113)
        #expect(table.header.index(of: "h2sess") != nil)
        #expect(table.header.moduleColumns.contains("h2_open_connections"))
        #expect(table.skippedRows == 0)
        #expect(table.frontends.map(\.name) == ["fe_main", "fe_h2", "stats"])
        #expect(table.backends.map(\.name) == ["via_h2", "ws_chat", "stats"])

        let chat = try #require(table.backends.first { $0.name == "ws_chat" })
        #expect(chat.servers.map(\.name) == ["s1", "s2", "s3"])
        #expect(chat.sessions == 10)
        let s1 = chat.servers[0]
        #expect(s1.status.admin == .ready && s1.status.operational == .up)
        #expect(s1.check?.code == "L4OK")
        // 3 tunnels and the GET in flight: scur is not the tunnel count.
        #expect(s1.sessions == 4)
        #expect(s1.responses.informational == 3)
        #expect(s1.row.fields["svname"] == "s1")
    }

    @Test func statsPageCSVHasTheSameShape() throws {
        let socket = try StatsCSVParser.parse(try Self.fixture("cli_show_stat.txt"))
        let page = try StatsCSVParser.parse(try Self.fixture("stats_http.csv"))
        #expect(page.header == socket.header)
        #expect(page.backends.map(\.name) == socket.backends.map(\.name))
    }

    @Test func tunnelsPerBackendFromCounters() throws {
        let table = try StatsCSVParser.parse(try Self.fixture("cli_show_stat.txt"))
        let tunnels = Dictionary(uniqueKeysWithValues: table.backends.map { ($0.name, TunnelCounter.openTunnels(of: $0)) })
        #expect(tunnels["ws_chat"] == 9)  // 5 HTTP/1.1 + 4 HTTP/2: HAProxy's internal status of an RFC 8441 tunnel is 101
        #expect(tunnels["via_h2"] == 4)
    }

    @Test func showSessAllCountsHTTP1AndHTTP2TunnelsPerServer() throws {
        // 3.0's task line says `tid=0(1/0)` where 2.6 says `tmask=0x1`; the age is still its last field.
        let streams = SessionListParser.parse(try Self.fixture("cli_show_sess_all.txt"))
        #expect(streams.count == 15)  // 9 + 4 (the HTTP/2 hop) tunnels, the GET in flight, the CLI's own stream
        #expect(streams.filter(\.isTunnel).count == 13)
        let pending = try #require(streams.first { $0.status == -1 })
        #expect(pending.requestState == "MSG_DONE" && !pending.isTunnel)
        #expect(pending.serverKey == ServerKey(backend: "ws_chat", server: "s1"))
        let overHTTP2 = streams.filter { $0.frontend == "fe_h2" }
        #expect(overHTTP2.count == 4)
        #expect(overHTTP2.allSatisfy { $0.isTunnel })
        #expect(streams.filter(\.isTunnel).allSatisfy { $0.ageSeconds == 1 })

        let tallies = TunnelCounter.perServer(streams)
        #expect(tallies[ServerKey(backend: "ws_chat", server: "s1")]?.count == 3)
        #expect(tallies[ServerKey(backend: "ws_chat", server: "s2")]?.count == 3)
        #expect(tallies[ServerKey(backend: "ws_chat", server: "s3")]?.count == 3)
        #expect(tallies[ServerKey(backend: "via_h2", server: "h2hop")]?.count == 4)
        #expect(tallies.count == 4)
    }

    @Test func showServersState() throws {
        let result = ServersStateParser.parse(try Self.fixture("cli_show_servers_state.txt"))
        #expect(result.skippedRows == 0)
        #expect(result.records.map(\.key.server) == ["h2hop", "s1", "s2", "s3"])
        let s2 = try #require(result.records.first { $0.key == ServerKey(backend: "ws_chat", server: "s2") })
        #expect(s2.address == "127.0.0.1")
        #expect(s2.port == 32857)
        #expect(s2.adminState == .ready)
        #expect(s2.operationalCode == 2)
        #expect(s2.userWeight == 1)
        #expect(s2.fqdn == nil)
    }

    @Test func showProcBeforeAndAfterAReload() throws {
        let before = ProcListParser.parse(try Self.fixture("master_show_proc.txt"))
        #expect(before.map(\.pid) == [30246, 30248])
        #expect(before.map(\.role) == [.master, .worker])
        #expect(before[0].reloads == 0)
        #expect(before[1].version == "3.0.11-9e587df")

        // The old worker keeps its tunnels; 3.0 prints its reload count as a number (older versions: `[was: 1]`).
        let after = ProcListParser.parse(try Self.fixture("master_show_proc_after_reload.txt"))
        #expect(after.map(\.pid) == [30246, 30547, 30248])
        #expect(after.map(\.isOld) == [false, false, true])
        #expect(after[0].reloads == 1)
        #expect(after[2].reloads == 1)
        #expect(after[2].uptime == "0d00h00m24s")
        #expect(after[2].version == "3.0.11-9e587df")
    }

    @Test func helpListsTheShowSessFiltersOf3_0() throws {
        let help = RuntimeHelp(parsing: try Self.fixture("cli_help.txt"))
        #expect(help.usages.count == 115)
        #expect(help.usage(of: "show sess") == "show sess [<id>|all|susp|older <age>]")
        #expect(help.usage(of: "show stat") == "show stat [desc|json|no-maint|typed|up]*")
        #expect(help.hasSessionAgeFilter)
        #expect(help.hasSuspiciousSessionFilter)
    }
}
