/// One fuzz input: its bytes and their count (`LLVMFuzzerTestOneInput`'s signature).
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ target: FuzzTarget
) -> CInt

/// Runs libFuzzer's driver (its command line, `-runs=`, `-max_total_time=`, corpus directories) on `target`.
///
/// SwiftPM links every executable with its `main` renamed after the module (so that tests can link it), and
/// `-parse-as-library` code has no `main` of its own: the target's `@main` calls this instead of relying on
/// libFuzzer's `main`.
public func runLibFuzzer(_ target: FuzzTarget) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

@_silgen_name("exit")
private func exit(_ status: CInt) -> Never
