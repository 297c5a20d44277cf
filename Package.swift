// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "preflight",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "preflight", targets: ["PreflightCLI"]),
        .executable(name: "fal-sim", targets: ["FalSimCLI"]),
        .library(name: "MediaProbe", targets: ["MediaProbe"]),
        .library(name: "MediaIO", targets: ["MediaIO"]),
        .library(name: "ModelCatalog", targets: ["ModelCatalog"]),
        .library(name: "MediaAdapt", targets: ["MediaAdapt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries. Each has a shim.h with static inline wrappers for the macros and
        // variadic functions Swift cannot import; no logic lives here.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libswresample libavutil libavfilter",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev", "libavfilter-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Swift owners of FFmpeg objects. No C pointer leaves this module.
        .target(name: "MediaIO", dependencies: ["CFFmpeg"]),
        // probe(url) -> MediaInfo.
        .target(name: "MediaProbe", dependencies: ["MediaIO"]),
        // Model requirements (bundled, user, learned), the OpenAPI importer and the Checker.
        .target(
            name: "ModelCatalog",
            dependencies: [
                "MediaProbe",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),

        // FixPlanner (CheckReport -> FixPlan) and Conformer (FixPlan -> verified output file).
        .target(name: "MediaAdapt", dependencies: ["MediaIO", "MediaProbe", "ModelCatalog"]),

        // fal over libcurl: credentials, base URLs, queue, storage upload, FalError.
        .target(name: "FalClient", dependencies: ["CCurl", "ModelCatalog"]),
        // A local fal-compatible server for tests, demos and offline dry runs (loopback only).
        .target(
            name: "FalSimulator",
            dependencies: [
                "MediaProbe", "ModelCatalog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "FalSimCLI",
            dependencies: ["FalSimulator", "ModelCatalog", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .executableTarget(
            name: "PreflightCLI",
            dependencies: [
                "MediaProbe",
                "ModelCatalog",
                "MediaAdapt",
                "FalClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Locating TestMedia, running ffprobe (the reference) and the built `preflight` binary.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "TestSupport"]),
        .testTarget(name: "MediaProbeTests", dependencies: ["MediaProbe", "TestSupport"]),
        .testTarget(name: "FalClientTests", dependencies: ["FalClient", "FalSimulator", "TestSupport"]),
        .testTarget(name: "MediaAdaptTests", dependencies: ["MediaAdapt", "TestSupport"]),
        .testTarget(name: "ModelCatalogTests", dependencies: ["ModelCatalog", "TestSupport"], exclude: ["Fixtures"]),
        // Runs the real executable: exit codes, output streams and formats as a user sees them.
        .testTarget(name: "PreflightCLITests", dependencies: ["PreflightCLI", "FalSimulator", "TestSupport"]),
    ]
)
