// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "chat-engine",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chat-engine", targets: ["chat-engine"]),
        .executable(name: "chat-bench", targets: ["chat-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        // MARK: C libraries from Debian (libmosquitto-dev, zlib1g-dev)
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: Modules
        .target(
            name: "MQTT",
            dependencies: [
                "CMosquitto",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Wire",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Actors",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Persistence",
            dependencies: [
                "CZlib",
                "Actors",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Engine",
            dependencies: [
                "MQTT",
                "Wire",
                "Actors",
                "Persistence",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The push webhook's HTTP/1.1 client (already in the graph through Hummingbird).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Resources/web")]
        ),
        .executableTarget(
            name: "chat-engine",
            dependencies: [
                "Engine",
                "Persistence",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Pure logic of the bench (content codec, delivery accounting, invariant checks): testable without a broker.
        .target(name: "BenchCore"),
        .executableTarget(
            name: "chat-bench",
            dependencies: [
                "BenchCore",
                "MQTT",
                "Engine",
                "Actors",
                "Persistence",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Tests
        // A test engine that runs in memory (no broker) behind the same user API as the broker tests.
        .target(name: "EngineTesting", dependencies: ["Engine", "Wire", .product(name: "Logging", package: "swift-log")], path: "Tests/EngineTesting"),
        .testTarget(name: "ActorsTests", dependencies: ["Actors"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "PersistenceTests", dependencies: ["Persistence", "Actors"]),
        .testTarget(name: "BenchTests", dependencies: ["BenchCore"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "EngineTesting", "Actors", "MQTT", "Persistence", "Wire"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Engine", "EngineTesting", "MQTT", "Actors", "Persistence", "Wire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
    ]
)
