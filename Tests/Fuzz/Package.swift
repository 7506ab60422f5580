// swift-tools-version: 6.2
import PackageDescription

/// haws's libFuzzer targets: one executable per parser that reads bytes from outside haws.
///
/// Each is a thin `@main` around a `FuzzTarget` of the root package's `HawsFuzzTargets` (`Tests/HawsFuzzTargets`,
/// which `make test` builds and runs over the committed corpora). A package of its own so that the main build
/// never links libFuzzer. `make fuzz-build` (see the root Makefile) builds it in release mode with every Swift
/// module of haws instrumented (`-sanitize=fuzzer,address`).
let targets = [
    "fuzz-stats-csv", "fuzz-show-info", "fuzz-show-sess", "fuzz-servers-state", "fuzz-show-proc",
    "fuzz-runtime-answer", "fuzz-stats-page", "fuzz-toml", "fuzz-view-json", "fuzz-response-head", "fuzz-ws-frames",
]

let package = Package(
    name: "haws-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "haws", path: "../.."),
    ],
    targets: [
        .target(
            name: "FuzzDriver",
            dependencies: [.product(name: "HawsFuzzTargets", package: "haws")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzDriver", .product(name: "HawsFuzzTargets", package: "haws")],
            path: "Sources/\(name)",
            swiftSettings: [
                .swiftLanguageMode(.v6),
                // The target's `@main` starts libFuzzer's driver (see FuzzDriver).
                .unsafeFlags(["-parse-as-library"]),
            ]
        )
    }
)
