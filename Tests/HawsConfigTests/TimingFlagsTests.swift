import Testing

@testable import HawsConfig

/// The flag-only cadences of `haws top` and `haws drain`: the defaults, what zero means, and the errors.
@Suite struct TimingFlagsTests {
    @Test func top() throws {
        var flags = TopFlags()
        #expect(
            try flags.timing()
                == TopTiming(statsInterval: .seconds(1), tunnelsInterval: .seconds(5), drainDeadline: .seconds(600)))
        flags.drainDeadline = "0"  // never offer the shutdown
        #expect(try flags.timing().drainDeadline == nil)
        flags.tunnelsInterval = "0s"
        #expect(throws: FlagError("--tunnels-interval: must be more than 0, e.g. 2s or 500ms, not '0s'")) {
            try flags.timing()
        }
    }

    @Test func drain() throws {
        var flags = DrainFlags()
        #expect(try flags.timing() == DrainTiming(waitLimit: .seconds(600), interval: .seconds(1), shutdownAfter: nil))
        flags.shutdownAfter = "30s"
        #expect(try flags.timing().shutdownAfter == .seconds(30))
        flags.interval = "soon"
        #expect(throws: FlagError.self) { try flags.timing() }
    }
}
