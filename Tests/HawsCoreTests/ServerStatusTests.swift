import Testing
@testable import HawsCore

@Suite struct ServerStatusTests {
    @Test(arguments: [
        ("UP", AdminState.ready, OperationalState.up),
        ("UP 1/3", .ready, .goingDown),
        ("DOWN", .ready, .down),
        ("DOWN 1/2", .ready, .goingUp),
        ("DOWN (agent)", .ready, .down),
        ("NOLB", .ready, .nolb),
        ("NOLB 2/3", .ready, .goingDown),
        ("DRAIN", .drain, .up),
        ("DRAIN 1/3", .drain, .goingDown),
        ("DRAIN (agent)", .drain, .up),
        ("MAINT", .maint, .down),
        ("MAINT (via ws_chat/s1)", .maint, .down),
        ("MAINT (resolution)", .maint, .down),
        ("no check", .ready, .noCheck),
    ])
    func grammar(raw: String, admin: AdminState, operational: OperationalState) {
        let status = ServerStatus(raw)
        #expect(status.admin == admin)
        #expect(status.operational == operational)
        #expect(status.raw == raw)
    }

    @Test func countersAndCauses() {
        #expect(ServerStatus("UP 1/3").counter == .init(current: 1, total: 3))
        #expect(ServerStatus("DRAIN (agent)").cause == .agent)
        #expect(ServerStatus("MAINT (via b/s)").cause == .via(backend: "b", server: "s"))
        #expect(ServerStatus("MAINT (resolution)").cause == .resolution)
    }

    @Test func unknownStatusIsNeverDown() {
        for raw in ["", "WEIRD", "OPEN", "garbage 1/x", "(", "UPX"] {
            let status = ServerStatus(raw)
            #expect(!status.isDown, "\(raw) must not read as DOWN")
            #expect(status.admin == nil)
        }
    }

    @Test func drainIsAliveButTakesNoNewTraffic() {
        let drain = ServerStatus("DRAIN")
        #expect(drain.isAlive)
        #expect(!drain.takesNewTraffic)
        #expect(!drain.isDown)
        #expect(ServerStatus("MAINT").isDown == false)
        #expect(ServerStatus("DOWN 1/2").isDown)
    }

    @Test func checkStatus() {
        let running = CheckStatus("* L7OK")
        #expect(running?.code == "L7OK")
        #expect(running?.inProgress == true)
        #expect(running?.outcome == .passed)
        #expect(CheckStatus("L4CON")?.outcome == .failed)
        #expect(CheckStatus("L7TOUT")?.outcome == .failed)
        #expect(CheckStatus("INI")?.outcome == .initializing)
        #expect(CheckStatus("") == nil)
    }
}
