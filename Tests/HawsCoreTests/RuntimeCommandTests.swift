import Testing
@testable import HawsCore

@Suite struct RuntimeCommandTests {
    @Test func validNamesBuildCommands() throws {
        let server = try ServerReference(parsing: "ws_chat/s1")
        #expect(RuntimeCommand.setState(server, .drain).text == "set server ws_chat/s1 state drain")
        #expect(try RuntimeCommand.setWeight(server, 50).text == "set server ws_chat/s1 weight 50")
        #expect(RuntimeCommand.shutdownSessions(server).text == "shutdown sessions server ws_chat/s1")
        #expect(RuntimeCommand.onWorker(pid: 42, .showSessAll).text == "@!42 show sess all")
        #expect(RuntimeCommand.setState(server, .maint).requiredLevel == .admin)
        #expect(try ServerReference(parsing: "be-1.x:y/srv_2").description == "be-1.x:y/srv_2")
    }

    @Test(arguments: [
        "ws_chat/s1;shutdown sessions server ws_chat/s2", "ws_chat/s1\nset server x/y state maint", "ws chat/s1",
        "ws_chat", "ws_chat/", "/s1", "a/b/c", "ws_chat/s1\\;", "ws_chat/s\u{00e9}", "ws_chat/s1\u{0}",
    ])
    func hostileNamesAreRefused(text: String) {
        #expect(throws: InvalidProxyName.self) { try ServerReference(parsing: text) }
    }

    @Test func refusalIsReadable() {
        do {
            _ = try ServerReference(parsing: "ws_chat/s1;x\n")
            Issue.record("must throw")
        } catch {
            #expect(error.description.contains("refusing name"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func weightRange() throws {
        let server = try ServerReference(parsing: "b/s")
        #expect(throws: InvalidWeight(value: 257)) { try RuntimeCommand.setWeight(server, 257) }
        #expect(throws: InvalidWeight(value: -1)) { try RuntimeCommand.setWeight(server, -1) }
    }

    @Test func levels() {
        #expect(SocketLevel.user < .operator)
        #expect(SocketLevel.operator < .admin)
    }
}
