// swift-tools-version: 6.2
import PackageDescription

/// haws: a stats and health monitor for HAProxy in front of WebSocket backends.
///
/// Layers, each depending only downward:
/// - `HawsCore`: the typed model, parsers of HAProxy's outputs, policies and reports. Pure, no I/O.
///   Its stats CSV parser splits records with `CStatsScan` (one C function, 16 bytes at a time).
/// - `HawsMonitor`: the live engine (polling schedule, rates, history, events, reachability) over
///   injected instance sources; no sockets of its own.
/// - `HawsProbe`: active RFC 6455 handshake probes with per-phase timings and latency histograms.
/// - `HawsClient`: the I/O edge that talks to HAProxy (runtime API socket, stats page over HTTP(S)).
/// - `HawsTUI`: the `haws top` dashboard: screen model -> update -> view, and one ncurses backend.
/// - `HawsAgent`: the headless agent's outputs: NDJSON lines and Prometheus text over HTTP.
/// - `HawsConfig`: the config file (TOML) and the command-line flags, read, checked and resolved into the typed
///   settings of every command (a flag given wins over the file, the file over the default).
/// - `HawsLab`: a self-contained lab on loopback (real HAProxy, WebSocket backends, clients), used by
///   the tests and by `haws demo`.
/// - `haws`: the executable, thin wiring of the above behind swift-argument-parser commands.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]
/// The one lock type of haws and its tests: `NIOLockedValueBox` (a pthread mutex). Not the standard library's
/// `Synchronization.Mutex`: on Linux that is a futex in the uninstrumented runtime, so ThreadSanitizer
/// (`make sanitize`) sees no happens-before edge through it and reports every access it guards as a race.
let lock: Target.Dependency = .product(name: "NIOConcurrencyHelpers", package: "swift-nio")

let package = Package(
    name: "haws",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "haws", targets: ["haws"]),
        // Libraries only so that the fuzz package (Tests/Fuzz, `make fuzz`) can depend on the parsers.
        .library(name: "HawsCore", targets: ["HawsCore"]),
        .library(name: "HawsClient", targets: ["HawsClient"]),
        .library(name: "HawsConfig", targets: ["HawsConfig"]),
        .library(name: "HawsProbe", targets: ["HawsProbe"]),
        .library(name: "HawsTUI", targets: ["HawsTUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "HawsCore",
            dependencies: ["CStatsScan"],
            swiftSettings: strict
        ),
        /// The stats CSV parser's cell splitter, 16 bytes at a time (see `StatsScan.c`).
        .target(name: "CStatsScan"),
        .target(
            name: "HawsClient",
            dependencies: [
                "HawsCore",
                "HawsProbe",
                lock,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        /// `haws doctor`: the HAProxy config reader and the rules (pure), plus the file loader at its edge.
        .target(
            name: "HawsDoctor",
            dependencies: ["HawsCore"],
            swiftSettings: strict
        ),
        .target(
            name: "HawsMonitor",
            dependencies: ["HawsCore"],
            swiftSettings: strict
        ),
        .target(
            name: "HawsProbe",
            dependencies: [
                "HawsCore",
                lock,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", providers: [.apt(["libncurses-dev"])]),
        .target(
            name: "HawsTUI",
            dependencies: ["HawsCore", "HawsClient", "HawsMonitor", "HawsProbe", "HawsDoctor", "CNcurses", lock],
            swiftSettings: strict
        ),
        .target(
            name: "HawsAgent",
            dependencies: [
                "HawsCore",
                "HawsMonitor",
                "HawsProbe",
                lock,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HawsConfig",
            dependencies: ["HawsCore", "HawsClient", "HawsProbe", "HawsAgent"],
            swiftSettings: strict
        ),
        .target(
            name: "HawsLab",
            dependencies: [
                "HawsCore",
                lock,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "haws",
            dependencies: [
                "HawsCore",
                "HawsClient",
                "HawsMonitor",
                "HawsProbe",
                "HawsTUI",
                "HawsAgent",
                "HawsConfig",
                "HawsLab",
                "HawsDoctor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        /// What several test targets share (seeded generator, manual clock, temporary directory, `eventually`, child
        /// processes); never linked into haws.
        .target(
            name: "HawsTestSupport",
            dependencies: ["HawsCore", lock],
            path: "Tests/HawsTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsCoreTests",
            dependencies: ["HawsCore", "HawsTestSupport", lock],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsDoctorTests",
            dependencies: ["HawsDoctor", "HawsCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsMonitorTests",
            dependencies: ["HawsMonitor", "HawsCore", "HawsTestSupport", lock],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsProbeTests",
            dependencies: [
                "HawsProbe", "HawsLab", "HawsCore", "HawsTestSupport",
                lock,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsTUITests",
            dependencies: ["HawsTUI", "HawsCore", "HawsMonitor", "HawsProbe", "HawsDoctor"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsAgentTests",
            dependencies: [
                "HawsAgent", "HawsCore", "HawsMonitor", "HawsProbe", "HawsClient", "HawsConfig", "HawsLab", "HawsTestSupport",
                lock,
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsClientTests",
            dependencies: [
                "HawsClient",
                "HawsProbe",
                "HawsLab",
                "HawsTestSupport",
                lock,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsConfigTests",
            dependencies: ["HawsConfig", "HawsCore", "HawsClient", "HawsProbe", "HawsAgent", "HawsTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsLabTests",
            dependencies: ["HawsLab", "HawsTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HawsIntegrationTests",
            dependencies: [
                "haws",
                "HawsCore",
                "HawsClient",
                "HawsLab",
                "HawsDoctor",
                "HawsTestSupport",
                lock,
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
    ]
)
