import HawsLab
import HawsProbe
import Testing

extension LoopbackProbeTests {
    /// Each HawsLab backend mode yields its own verdict.
    @Suite("against HawsLab backends")
    struct LabBackends {
        let prober = LoopbackProbeTests.prober

        @Test("a correct backend passes in connect-only and full mode, with sane phase timings")
        func ok() async throws {
            try await LoopbackProbeTests.withLab(.ok) { port in
                let target = LoopbackProbeTests.target(port)
                let connectOnly = await self.prober.probe(target, options: LoopbackProbeTests.options(.connectOnly))
                #expect(connectOnly.failure == nil, "\(String(describing: connectOnly.failure))")
                #expect(connectOnly.httpStatus == 101)
                #expect(connectOnly.remoteAddress == "127.0.0.1:\(port)")
                LoopbackProbeTests.expectSaneTimings(connectOnly, full: false)

                let full = await self.prober.probe(target, options: LoopbackProbeTests.options(.full))
                #expect(full.passed, "\(String(describing: full.failure))")
                #expect(full.mode == .full)
                LoopbackProbeTests.expectSaneTimings(full, full: true)
            }
        }

        @Test("full mode with a message: the echo matches, a different pattern is message_mismatch")
        func message() async throws {
            try await LoopbackProbeTests.withLab(.ok) { port in
                let target = LoopbackProbeTests.target(port)
                let echo = try ProbeMessage(text: "hello haws", expectedReply: "^hello haws$")
                let passed = await self.prober.probe(target, options: LoopbackProbeTests.options(message: echo))
                #expect(passed.passed, "\(String(describing: passed.failure))")
                #expect(passed.timings.message != nil)

                let other = try ProbeMessage(text: "hello haws", expectedReply: "^goodbye")
                let failed = await self.prober.probe(target, options: LoopbackProbeTests.options(message: other))
                #expect(failed.failure == .messageMismatch(pattern: "^goodbye", received: "hello haws"))
            }
        }

        @Test("refuseUpgrade: status, with the real code")
        func refuseUpgrade() async throws {
            let result = try await LoopbackProbeTests.withLab(.refuseUpgrade) { port in
                await self.prober.probe(LoopbackProbeTests.target(port), options: LoopbackProbeTests.options())
            }
            #expect(result.failure == .status(code: 400, reason: "Bad Request"))
            #expect(result.httpStatus == 400)
            #expect(result.timings.upgrade != nil)
        }

        @Test("wrongAccept: bad_accept, which HAProxy's 101 check cannot see")
        func wrongAccept() async throws {
            let result = try await LoopbackProbeTests.withLab(.wrongAccept) { port in
                await self.prober.probe(
                    LoopbackProbeTests.target(port),
                    options: LoopbackProbeTests.options(.connectOnly)
                )
            }
            #expect(result.failure?.code == "bad_accept")
            #expect(result.httpStatus == 101)
        }

        @Test("wrongSubprotocol: bad_subprotocol, whether we offered others or none")
        func wrongSubprotocol() async throws {
            try await LoopbackProbeTests.withLab(.wrongSubprotocol) { port in
                var target = LoopbackProbeTests.target(port)
                let none = await self.prober.probe(target, options: LoopbackProbeTests.options())
                #expect(none.failure == .badSubprotocol(received: "haws-never-offered", offered: []))
                target.subprotocols = ["chat"]
                let offered = await self.prober.probe(target, options: LoopbackProbeTests.options())
                #expect(offered.failure == .badSubprotocol(received: "haws-never-offered", offered: ["chat"]))
            }
        }

        @Test("slowHandshake: passes with a long deadline, fails as timeout (upgrade) with a short one")
        func slowHandshake() async throws {
            try await LoopbackProbeTests.withLab(.slowHandshake(.milliseconds(300))) { port in
                let target = LoopbackProbeTests.target(port)
                let patient = await self.prober.probe(
                    target,
                    options: LoopbackProbeTests.options(deadline: .seconds(3))
                )
                #expect(patient.passed, "\(String(describing: patient.failure))")
                #expect(patient.timings.upgrade.map { $0 >= .milliseconds(290) } == true)

                let hasty = await self.prober.probe(
                    target,
                    options: LoopbackProbeTests.options(deadline: .milliseconds(150))
                )
                #expect(hasty.failure?.code == "timeout")
                #expect(hasty.failure?.phase == .upgrade)
                #expect(hasty.timings.total < .milliseconds(290))
            }
        }

        @Test("a phase limit shorter than the deadline names the phase too")
        func phaseLimit() async throws {
            try await LoopbackProbeTests.withLab(.slowHandshake(.milliseconds(300))) { port in
                var options = LoopbackProbeTests.options(deadline: .seconds(3))
                options.timeouts.upgrade = .milliseconds(100)
                let result = await self.prober.probe(LoopbackProbeTests.target(port), options: options)
                #expect(result.failure == .timeout(phase: .upgrade, after: .milliseconds(100)))
            }
        }

        @Test("hang: timeout at the deadline, in the upgrade phase")
        func hang() async throws {
            let result = try await LoopbackProbeTests.withLab(.hang) { port in
                await self.prober.probe(
                    LoopbackProbeTests.target(port),
                    options: LoopbackProbeTests.options(deadline: .milliseconds(200))
                )
            }
            #expect(result.failure?.code == "timeout")
            #expect(result.failure?.phase == .upgrade)
            #expect(result.timings.connect != nil)
            #expect(result.timings.total >= .milliseconds(200) && result.timings.total < .seconds(1))
        }

        @Test("closeImmediately: closed_early before any answer")
        func closeImmediately() async throws {
            let result = try await LoopbackProbeTests.withLab(.closeImmediately) { port in
                await self.prober.probe(LoopbackProbeTests.target(port), options: LoopbackProbeTests.options())
            }
            #expect(result.failure?.code == "closed_early", "\(String(describing: result.failure))")
            #expect(result.failure?.phase == .upgrade)
            #expect(result.httpStatus == nil)
        }
    }
}
