/// One fuzz target: a parser of bytes from outside haws, driven by one input and checked for invariants besides
/// "no trap".
///
/// The bodies live here, in the main package, so that `make test` builds them and runs them over the committed
/// corpora plus seeded mutations (`HawsFuzzTests`) without the instrumented build; the fuzz package
/// (`Tests/Fuzz`) wraps each in a libFuzzer executable `fuzz-<name>`.
public struct FuzzTarget: Sendable {
    /// The target's name: its executable is `fuzz-<name>`, its corpora `Tests/Fuzz/Corpus/<name>` (seeds) and
    /// `Tests/Fuzz/Learned/<name>` (what campaigns found, minimised).
    public let name: String
    /// Runs one input; throws when an invariant does not hold (libFuzzer's wrapper turns that into a crash).
    public let run: @Sendable (UnsafeBufferPointer<UInt8>) throws(FuzzViolation) -> Void

    public init(name: String, run: @escaping @Sendable (UnsafeBufferPointer<UInt8>) throws(FuzzViolation) -> Void) {
        self.name = name
        self.run = run
    }

    /// Runs one input held in an array.
    public func callAsFunction(_ input: [UInt8]) throws(FuzzViolation) {
        try input.withUnsafeBufferPointer { (bytes) throws(FuzzViolation) in try run(bytes) }
    }
}

/// An invariant a target checks that did not hold for an input.
public struct FuzzViolation: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Throws `message` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzViolation) {
    guard condition else { throw FuzzViolation(message()) }
}

extension FuzzTarget {
    /// Every target, in the campaign's order (the slowest per execution last).
    public static let all: [FuzzTarget] = [
        .statsCSV, .showInfo, .showSess, .serversState, .showProc, .runtimeAnswer, .statsPage, .toml, .viewJSON,
        .responseHead, .webSocketFrames,
    ]
}
