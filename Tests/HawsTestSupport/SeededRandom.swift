#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The random source of every property test: seeded, so a failing case replays.
///
/// Each test passes its own fixed seed, so every run checks the same cases; `HAWS_TEST_SEED` overrides it to
/// replay a seed printed by a failure (`HAWS_TEST_SEED=0x5e55`, decimal also accepted) or to explore new cases
/// (`HAWS_TEST_SEED=random`). Put ``replay`` in every expectation's message so a failure prints the seed.
/// SplitMix64 (Steele, Lea and Flood, 2014): fast, and every seed gives a full-period sequence.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The environment variable that overrides the seed.
    public static let environmentVariable = "HAWS_TEST_SEED"

    /// The seed this generator started from.
    public let seed: UInt64
    private var state: UInt64

    /// `seed`, unless `HAWS_TEST_SEED` is set.
    public init(seed: UInt64) {
        self.init(exactly: Self.seedFromEnvironment() ?? seed)
    }

    /// Exactly `seed`, whatever the environment says.
    public init(exactly seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// How to run the same cases again, for failure messages.
    public var replay: String {
        "seed 0x\(String(seed, radix: 16)) (replay: \(Self.environmentVariable)=0x\(String(seed, radix: 16)))"
    }

    /// `HAWS_TEST_SEED` as a number (`0x` hex or decimal), a fresh seed for `random`, `nil` when unset.
    static func seedFromEnvironment() -> UInt64? {
        guard let raw = getenv(environmentVariable) else { return nil }
        let text = String(cString: raw).lowercased()
        if text == "random" {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }
}
