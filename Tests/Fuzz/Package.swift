// swift-tools-version: 6.2
import PackageDescription

/// haws's libFuzzer targets: one executable per parser that reads bytes from outside haws.
///
/// A package of its own so that the main build never links libFuzzer. `make fuzz` (see the root Makefile)
/// builds it in release mode with every Swift module of haws instrumented (`-sanitize=fuzzer,address`,
/// `-enable-testing` for the parsers that are internal to their module) and runs each target over its seed
/// corpus in `Corpus/<target>`. It builds only with those flags (libFuzzer's runtime and `-enable-testing`).
let targets: [(name: String, modules: [String])] = [
    ("fuzz-stats-csv", ["HawsCore"]),
    ("fuzz-show-info", ["HawsCore"]),
    ("fuzz-show-sess", ["HawsCore"]),
    ("fuzz-servers-state", ["HawsCore"]),
    ("fuzz-show-proc", ["HawsCore"]),
    ("fuzz-runtime-answer", ["HawsCore", "HawsClient"]),
    ("fuzz-stats-page", ["HawsCore", "HawsClient"]),
    ("fuzz-toml", ["HawsConfig"]),
    ("fuzz-view-json", ["HawsTUI", "HawsCore"]),
    ("fuzz-response-head", ["HawsProbe"]),
    ("fuzz-ws-frames", ["HawsProbe"]),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOEmbedded", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "haws-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "haws", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(name: "FuzzDriver", swiftSettings: [.swiftLanguageMode(.v6)])
    ] + targets.map { target in
        .executableTarget(
            name: target.name,
            dependencies: ["FuzzDriver"] + target.modules.map { .product(name: $0, package: "haws") } + nio,
            path: "Sources/\(target.name)",
            swiftSettings: [
                .swiftLanguageMode(.v6),
                // The target's `@main` starts libFuzzer's driver (see FuzzDriver).
                .unsafeFlags(["-parse-as-library"]),
            ]
        )
    }
)
