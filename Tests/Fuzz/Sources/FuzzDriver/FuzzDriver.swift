import HawsFuzzTargets

/// One fuzz input: its bytes and their count (`LLVMFuzzerTestOneInput`'s signature).
private typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzCallback
) -> CInt

/// The target of this executable, set once by ``runLibFuzzer(_:)`` before libFuzzer starts (one thread).
nonisolated(unsafe) private var current: FuzzTarget?

/// libFuzzer's entry point for one input: the target's violation of an invariant becomes a crash, which
/// libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do throws(FuzzViolation) {
        try current!.run(UnsafeBufferPointer(start: data, count: size))
    } catch {
        fatalError("fuzz-\(current!.name): \(error)")
    }
    return 0
}

/// Runs libFuzzer's driver (its command line, `-runs=`, `-max_total_time=`, corpus directories) on `target`.
///
/// SwiftPM links every executable with its `main` renamed after the module (so that tests can link it), and
/// `-parse-as-library` code has no `main` of its own: the target's `@main` calls this instead of relying on
/// libFuzzer's `main`.
public func runLibFuzzer(_ target: FuzzTarget) -> Never {
    current = target
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
}

@_silgen_name("exit")
private func exit(_ status: CInt) -> Never
