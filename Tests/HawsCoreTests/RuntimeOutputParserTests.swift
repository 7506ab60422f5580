import Testing
@testable import HawsCore

@Suite struct RuntimeOutputParserTests {
    @Test func showInfo() throws {
        let info = InfoParser.parse(try Fixture.text("cli_show_info.txt"))
        #expect(info.pid == 13744)
        #expect(info.version == "2.6.12-1+deb12u4")
        #expect(info.node == "vm")
        #expect(info.uptimeSeconds == 12)
        #expect(info.currentConnections == 29)
        #expect(info.maxConnections == 4000)
        #expect(info.isStopping == false)
        #expect(info.fields["Nbthread"] == "2")
    }

    @Test func showServersState() throws {
        let result = ServersStateParser.parse(try Fixture.text("cli_show_servers_state.txt"))
        #expect(result.skippedRows == 0)
        #expect(result.records.count >= 6)
        let s2 = try #require(result.records.first { $0.key == ServerKey(backend: "ws_chat", server: "s2") })
        #expect(s2.address == "127.0.0.1")
        #expect(s2.port == 20011)
        #expect(s2.endpoint == "127.0.0.1:20011")
        #expect(s2.adminState == .ready)
        #expect(s2.operationalCode == 2)
        #expect(s2.userWeight == 1)
        #expect(s2.fqdn == nil)
    }

    @Test func serversStateAdminBits() {
        let text = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_port
            3 ws_chat 1 s1 127.0.0.1 2 8 1 1 20010
            3 ws_chat 2 s2 127.0.0.1 0 1 1 1 20011
            3 ws_chat 3 s3 127.0.0.1 0 32 1 1 0
            garbage
            """
        let result = ServersStateParser.parse(text)
        #expect(result.records.map(\.adminState) == [.drain, .maint, .maint])
        #expect(result.records[2].endpoint == nil)  // port 0: not probeable
        #expect(result.skippedRows == 1)
    }

    @Test func showSessAllCountsTunnelsPerServer() throws {
        let streams = SessionListParser.parse(try Fixture.text("cli_show_sess_all.txt"))
        #expect(streams.count == 3)
        #expect(streams.allSatisfy { $0.isTunnel })
        #expect(streams[0].id == "100")
        #expect(streams[0].frontend == "fe_main")
        #expect(streams[0].serverKey == ServerKey(backend: "ws_chat", server: "s2"))
        #expect(streams[0].ageSeconds == 8)
        let tallies = TunnelCounter.perServer(streams)
        #expect(tallies[ServerKey(backend: "ws_chat", server: "s2")]?.count == 2)
        #expect(tallies[ServerKey(backend: "ws_chat", server: "s3")]?.count == 1)
    }

    @Test func onlyUpgradedTunnelsCount() {
        let text = """
            0x1: [25/Nov/2026:15:43:38.299499] id=1 proto=tcpv4 source=127.0.0.1:1
              backend=ws_chat (id=3 mode=http) addr=127.0.0.1:1
              server=s1 (id=1) addr=127.0.0.1:2
              task=0x2 (state=0x00 nice=0 calls=4 rate=0 exp=59m52s tmask=0x1 age=1h02m)
              txn=0x3 flags=0x8000 meth=1 status=101 req.st=MSG_TUNNEL rsp.st=MSG_TUNNEL req.f=0xcc rsp.f=0xcc
            0x4: [25/Nov/2026:15:43:38.299499] id=2 proto=tcpv4 source=127.0.0.1:1
              backend=ws_chat (id=3 mode=http) addr=127.0.0.1:1
              server=s1 (id=1) addr=127.0.0.1:2
              task=0x5 (state=0x00 nice=0 calls=4 rate=0 exp=59m52s tmask=0x1 age=3s)
              txn=0x6 flags=0x8000 meth=1 status=200 req.st=MSG_DONE rsp.st=MSG_DATA req.f=0xcc rsp.f=0xcc
            0x7: [25/Nov/2026:15:43:38.299499] id=3 proto=tcpv4 source=127.0.0.1:1
              backend=<NONE> (id=-1 mode=-) addr=127.0.0.1:1
              server=<NONE> (id=-1) addr=127.0.0.1:2
              task=0x8 (state=0x00 nice=0 calls=4 rate=0 exp=59m52s tmask=0x1 age=2d03h)
              txn=0x9 flags=0x8000 meth=1 status=101 req.st=MSG_TUNNEL rsp.st=MSG_TUNNEL
            0x10: [25/Nov/2026:15:43:38.299499] id=4 proto=tcpv4 source=127.0.0.1:1
              backend=ws_chat (id=3 mode=http) addr=127.0.0.1:1
              server=s1 (id=1) addr=127.0.0.1:2
              task=0x11 (state=0x00 nice=0 calls=4 rate=0 exp=59m52s tmask=0x1 age=2d03h)
              txn=0x12 flags=0x8000 meth=1 status=101 req.st=MSG_TUNNEL rsp.st=MSG_TUNNEL
            """
        let streams = SessionListParser.parse(text)
        #expect(streams.count == 4)
        #expect(streams[2].serverKey == nil)
        let tally = TunnelCounter.perServer(streams)[ServerKey(backend: "ws_chat", server: "s1")]
        #expect(tally?.count == 2)
        #expect(tally?.oldestSeconds == 183_600)
        #expect(tally?.olderThanMinute == 2)
        #expect(tally?.olderThanHour == 2)
        #expect(tally?.olderThanDay == 1)
    }

    @Test(arguments: [
        ("8s", 8), ("1m05s", 65), ("59m52s", 3592), ("2h03m", 7380), ("1d02h", 93_600), ("120ms", 0),
        ("0d00h02m07s", 127), ("42", 42),
    ])
    func humanDurations(text: String, seconds: Int) {
        #expect(HumanDuration.seconds(text) == seconds)
    }

    @Test func unreadableDurations() {
        for text in ["<NEVER>", "?", "", "abc", "5x"] { #expect(HumanDuration.seconds(text) == nil) }
        // Found by fuzzing: beyond Int.max seconds (or infinite as a Double), Int(_:) trapped.
        let huge = "22" + String(repeating: "4", count: 114)
        for text in [huge, huge + "d", "9223372036854775808s", "106751991167301d"] {
            #expect(HumanDuration.seconds(text) == nil)
        }
        #expect(HumanDuration.seconds("1000000d") == 86_400_000_000)
        let streams = SessionListParser.parse("0x1: proto=tcpv4\n  task=0x2 (state=0x00 nice=0 calls=2 age=\(huge)d)\n")
        #expect(streams.count == 1 && streams[0].ageSeconds == nil)
    }

    @Test func helpOf2_6HasNoShowSessFilters() throws {
        let help = RuntimeHelp(parsing: try Fixture.text("cli_help.txt"))
        #expect(help.usages.count == 103)
        #expect(help.usage(of: "show sess") == "show sess [id]")
        #expect(help.usage(of: "show se") == nil)  // whole words only
        #expect(help.usage(of: "show nothing") == nil)
        // 2.6 would answer `show sess older 60` with the short list of every stream: never send it there.
        #expect(!help.hasSessionAgeFilter)
        #expect(!help.hasSuspiciousSessionFilter)
        #expect(RuntimeHelp(parsing: "Unknown command.\n").usages.isEmpty)
    }

    @Test func showProc() {
        let text = """
            #<PID>          <type>          <reloads>       <uptime>        <version>
            1162            master          5 [failed: 0]   0d00h02m07s     2.6.12-1+deb12u4
            # workers
            1271            worker          1               0d00h00m00s     2.6.12-1+deb12u4
            # old workers
            1233            worker          [was: 1]        0d00h00m43s     2.6.12-1+deb12u4
            # programs

            """
        let entries = ProcListParser.parse(text)
        #expect(entries.map(\.pid) == [1162, 1271, 1233])
        #expect(entries.map(\.role) == [.master, .worker, .worker])
        #expect(entries.map(\.isOld) == [false, false, true])
        #expect(entries[0].reloads == 5)
        #expect(entries[0].uptime == "0d00h02m07s")
        #expect(entries[2].version == "2.6.12-1+deb12u4")
        #expect(entries[2].uptime == "0d00h00m43s")
        #expect(entries[2].reloads == nil)
    }
}
