import HawsTestSupport
import Testing
@testable import HawsCore

@Suite struct StatsCSVParserTests {
    @Test func parsesTheRealSocketOutput() throws {
        let table = try StatsCSVParser.parse(try Fixture.text("cli_show_stat.txt"))
        #expect(table.header.names.count == 128)
        #expect(table.header.index(of: "-") != nil)
        #expect(table.header.moduleColumns.contains("h1_open_connections"))
        #expect(table.frontends.map(\.name) == ["fe_main", "stats"])
        #expect(table.backends.map(\.name) == ["ws_chat", "ws_feed", "http_api", "ws_faulty", "stats"])
        #expect(table.skippedRows == 0)

        let chat = try #require(table.backends.first { $0.name == "ws_chat" })
        #expect(chat.servers.map(\.name) == ["s1", "s2", "s3"])
        #expect(chat.sessions == 25)
        #expect(chat.sessionLimit == 400)
        let s1 = chat.servers[0]
        #expect(s1.status.admin == .ready && s1.status.operational == .up)
        #expect(s1.check?.code == "L7OK")
        #expect(s1.checkCode == 101)
        #expect(s1.address == "127.0.0.1:20010")
        #expect(s1.sessions == 9)
        #expect(s1.responses.informational == 9)
        #expect(s1.checkDescription == "Layer7 check passed")
        #expect(s1.weight == 1 && s1.userWeight == 1)
        // Every cell stays available by name, module columns included.
        #expect(s1.row["h1_open_connections"] != nil || s1.row.values.count <= table.header.names.count)
        #expect(s1.row.fields["svname"] == "s1")

        let faulty = try #require(table.backends.first { $0.name == "ws_faulty" })
        let byName = Dictionary(uniqueKeysWithValues: faulty.servers.map { ($0.name, $0) })
        #expect(byName["refuse"]?.status.isDown == true)
        #expect(byName["refuse"]?.check?.code == "L7STS")
        #expect(byName["slow"]?.check?.inProgress == true)
        #expect(byName["hang"]?.check?.code == "L7TOUT")
        #expect(byName["closed"]?.check?.code == "L4CON")
        #expect(byName["closed"]?.lastCheck == "Connection refused")
        #expect(byName["badaccept"]?.status.operational == .up)
    }

    @Test func statsPageCSVHasTheSameShape() throws {
        let socket = try StatsCSVParser.parse(try Fixture.text("cli_show_stat.txt"))
        let page = try StatsCSVParser.parse(try Fixture.text("stats_http.csv"))
        #expect(page.header == socket.header)
        #expect(page.backends.map(\.name) == socket.backends.map(\.name))
    }

    @Test func tunnelsPerBackendFromCounters() throws {
        let table = try StatsCSVParser.parse(try Fixture.text("cli_show_stat.txt"))
        let tunnels = Dictionary(uniqueKeysWithValues: table.backends.map { ($0.name, TunnelCounter.openTunnels(of: $0)) })
        #expect(tunnels["ws_chat"] == 25)  // 9 + 8 + 8 upgrades answered, none ended
        #expect(tunnels["ws_feed"] == 4)
        #expect(tunnels["ws_faulty"] == 0)  // 3 + 3 answered, 6 ended
        #expect(tunnels["http_api"] == 0)
    }

    @Test func columnsAreFoundByNameNotPosition() throws {
        // Columns shuffled, an unknown column added: values still land in the right fields.
        let text = """
            # svname,future_col,pxname,type,status,scur,hrsp_1xx,weight,
            s1,x,be,2,UP 1/3,7,7,1,
            BACKEND,y,be,1,UP,7,0,1,

            """
        let table = try StatsCSVParser.parse(text)
        let server = try #require(table.backends.first?.servers.first)
        #expect(server.name == "s1")
        #expect(server.backend == "be")
        #expect(server.sessions == 7)
        #expect(server.status.operational == .goingDown)
        #expect(server.row["future_col"] == "x")
        #expect(TunnelCounter.openTunnels(of: table.backends[0]) == 7)
    }

    @Test func quotedFreeTextWithCommaAndNewline() throws {
        let text = """
            # pxname,svname,status,type,check_desc,last_chk,scur,
            be,s1,DOWN,2,"Layer7, wrong status","HTTP ""503""\nService Unavailable",0,
            be,BACKEND,DOWN,1,,,0,

            """
        let table = try StatsCSVParser.parse(text)
        let server = try #require(table.backends.first?.servers.first)
        #expect(server.checkDescription == "Layer7, wrong status")
        #expect(server.lastCheck == "HTTP \"503\"\nService Unavailable")
        #expect(table.skippedRows == 0)
        #expect(table.backends[0].hasNoServerUp)
    }

    /// Cells after the last column haws reads are skipped to the line end; a quote there (which may hide a
    /// comma or a line break) sends the record to the general reader, so the next row still starts right.
    @Test func quotedCellsAfterTheLastKnownColumn() throws {
        let text = [
            "# pxname,svname,type,scur,future_a,future_b,",
            #"be,s1,2,4,"x, y","multi"#, #"line","#,
            #"be,s2,2,5,plain,"""quoted""","#,
            "be,s3,2,6,,,",
            "be,BACKEND,1,15,,,",
        ].joined(separator: "\n") + "\n"
        let table = try StatsCSVParser.parse(text)
        let servers = try #require(table.backends.first?.servers)
        #expect(servers.map(\.name) == ["s1", "s2", "s3"])
        #expect(servers.map(\.sessions) == [4, 5, 6])
        #expect(servers[0].row["future_a"] == "x, y" && servers[0].row["future_b"] == "multi\nline")
        #expect(servers[1].row["future_b"] == "\"quoted\"")
        #expect(table.skippedRows == 0)
    }

    /// Random records with quoted and plain cells before and after the known columns: the parser's typed
    /// fields agree with the general CSV reader's split of the same text.
    @Test func agreesWithTheGeneralReaderOnRandomRecords() throws {
        var generator = SeededRandom(seed: 0xC5F0)
        let replay = generator.replay
        let pieces = ["", "0", "12", "a b", "x,y", "q\"q", "line\nbreak", "UP", "-"]
        func cell() -> String {
            let text = pieces.randomElement(using: &generator)!
            let needsQuotes = text.contains(",") || text.contains("\"") || text.contains("\n") || Bool.random(using: &generator) && text.isEmpty == false && Int.random(in: 0..<4, using: &generator) == 0
            return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        for _ in 0..<200 {
            var text = "# pxname,svname,type,check_desc,scur,tail_a,tail_b\n"
            for index in 0..<Int.random(in: 1..<20, using: &generator) {
                text += "be,s\(index),2,\(cell()),\(Int.random(in: 0..<1000, using: &generator)),\(cell()),\(cell())\n"
            }
            text += "be,BACKEND,1,,0,,\n"
            let expected = CSVReader.records(text).dropFirst().dropLast()
            let servers = try #require(try StatsCSVParser.parse(text).backends.first?.servers)
            #expect(servers.count == expected.count, "\(replay): \(text)")
            for (server, record) in zip(servers, expected) {
                #expect(server.name == record[1] && server.sessions == Int(record[4]), "\(replay): \(text)")
                #expect(server.checkDescription == (record[3].isEmpty ? nil : record[3]), "\(replay): \(text)")
                #expect(server.row["tail_a"] == record[5] && server.row["tail_b"] == record[6], "\(replay): \(text)")
            }
        }
    }

    /// `uweight` is not split while parsing (HAProxy's 100th column) but read from the row when asked.
    @Test func userWeightIsReadFromTheRowOnDemand() throws {
        let text = "# pxname,svname,type,weight,h1_x,\"q,q\",uweight,\nbe,s1,2,3,x,\"a,b\",7,\nbe,BACKEND,1,3,,,,\n"
        let table = try StatsCSVParser.parse(text)
        let server = try #require(table.backends.first?.servers.first)
        #expect(server.weight == 3)
        #expect(server.userWeight == 7)
        #expect(table.header.columnAtPosition.firstIndex(of: StatsColumn.uweight.rawValue) == nil)
        #expect(table.header.index(of: .uweight) == 6)
    }

    @Test func hostileRowsAreSkippedAndCounted() throws {
        let text = """
            # pxname,svname,status,type,scur,
            be,s1,UP,2,3,
            ,s2,UP,2,1,
            be,,UP,2,1,
            be,s3,UP,banana,1,
            truncated
            be,s4,UP,9,1,
            be,BACKEND,UP,1,3,

            """
        let table = try StatsCSVParser.parse(text)
        #expect(table.backends.count == 1)
        #expect(table.backends[0].servers.map(\.name) == ["s1"])
        #expect(table.skippedRows == 5)
    }

    @Test func garbageIsAClearError() {
        #expect(throws: StatsCSVError.notCSV("<html><body>hello</body></html>")) {
            try StatsCSVParser.parse("<html><body>hello</body></html>\n")
        }
        #expect(throws: StatsCSVError.empty) { try StatsCSVParser.parse("") }
        #expect(throws: StatsCSVError.missingColumns) { try StatsCSVParser.parse("# a,b,c\n1,2,3\n") }
    }

    @Test func randomBytesNeverCrash() {
        // A crash prints no message: the fixed seed makes a rerun the replay.
        var generator = SeededRandom(seed: 0xB17E5)
        let alphabet = Array("#,\"\n\r abcUPDOWN0123456789/()-".utf8)
        for _ in 0..<300 {
            let length = Int.random(in: 0..<400, using: &generator)
            var bytes: [UInt8] = Array("# pxname,svname,type,status,\n".utf8)
            for _ in 0..<length { bytes.append(alphabet.randomElement(using: &generator)!) }
            let text = String(decoding: bytes, as: UTF8.self)
            if let table = try? StatsCSVParser.parse(text) {
                for backend in table.backends { _ = TunnelCounter.openTunnels(of: backend) }
            }
        }
    }

    @Test func serversWithoutBackendRowAreKept() throws {
        let table = try StatsCSVParser.parse("# pxname,svname,type,status,\nbe,s1,2,UP,\n")
        #expect(table.backends.first?.name == "be")
        #expect(table.backends.first?.servers.count == 1)
        #expect(table.backends.first.flatMap(TunnelCounter.openTunnels(of:)) == nil)
    }
}
