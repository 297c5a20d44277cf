// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "preflight",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "preflight", targets: ["PreflightCLI"]),
        .executable(name: "fal-sim", targets: ["FalSimCLI"]),
        .library(name: "MediaProbe", targets: ["MediaProbe"]),
        .library(name: "ModelCatalog", targets: ["ModelCatalog"]),
        .library(name: "MediaAdapt", targets: ["MediaAdapt"]),
        .library(name: "FalClient", targets: ["FalClient"]),
        .library(name: "LiveCatalog", targets: ["LiveCatalog"]),
        .library(name: "Submission", targets: ["Submission"]),
        .library(name: "Batch", targets: ["Batch"]),
        .library(name: "PreflightCore", targets: ["PreflightCore"]),
        // One import for an app: every stage of the flow (Sources/PreflightKit/PreflightKit.swift).
        .library(name: "PreflightKit", targets: ["PreflightKit"]),
        // fal on loopback, for an app's own tests.
        .library(name: "FalSimulator", targets: ["FalSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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

        // Small shared pieces every layer may use (no FFmpeg, curl, GRDB or Yams): JSONValue, fal's
        // Rejection, content hashes (swift-crypto), bounded worker pools.
        .target(name: "PreflightCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Swift owners of FFmpeg objects. No C pointer leaves this module.
        .target(name: "MediaIO", dependencies: ["CFFmpeg"]),
        // probe(url) -> MediaInfo.
        .target(name: "MediaProbe", dependencies: ["PreflightCore", "MediaIO"]),
        // Model requirements (bundled, user, learned), the OpenAPI importer and the Checker.
        .target(
            name: "ModelCatalog",
            dependencies: [
                "PreflightCore",
                "MediaProbe",
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // FixPlanner (CheckReport -> FixPlan) and Conformer (FixPlan -> verified output file).
        .target(name: "MediaAdapt", dependencies: ["PreflightCore", "MediaIO", "MediaProbe", "ModelCatalog"]),

        // fal over libcurl: credentials, base URLs, queue, storage upload, FalError.
        // Links neither FFmpeg nor GRDB: an HTTP client needs only the shared value types.
        .target(name: "FalClient", dependencies: ["PreflightCore", "CCurl"]),
        // The catalog with fal asked about what it lacks: first-use lookups, re-checks of old
        // entries, the price book. Joins the catalog (which never touches the network) to the client.
        .target(name: "LiveCatalog", dependencies: ["PreflightCore", "ModelCatalog", "FalClient"]),
        // A local fal-compatible server for tests, demos and offline dry runs (loopback only).
        .target(
            name: "FalSimulator",
            dependencies: [
                "PreflightCore", "MediaProbe", "ModelCatalog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "FalSimCLI",
            dependencies: ["FalSimulator", "ModelCatalog", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Upload -> submit -> follow -> result -> download, retries, dual runs, and the Journal
        // (SQLite through GRDB) that never loses a request id.
        .target(
            name: "Submission",
            dependencies: ["FalClient", "ModelCatalog", "MediaAdapt", "MediaProbe", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // FICLONE and copy_file_range(2) for placing compliant files (ioctl is variadic: Swift cannot call it).
        .target(name: "CFileClone"),
        // prepare: folder scan, scheduler, manifest, resumability, the HTML report, and its submit stage.
        .target(name: "Batch", dependencies: ["PreflightCore", "CFileClone", "MediaIO", "MediaProbe", "ModelCatalog", "MediaAdapt", "FalClient", "Submission"]),

        // Re-exports the public surface a Swift app needs.
        .target(name: "PreflightKit", dependencies: ["PreflightCore", "MediaProbe", "ModelCatalog", "MediaAdapt", "FalClient", "LiveCatalog", "Submission", "Batch"]),
        // The library in use: probe, check, fix and submit one file to fal-sim (built by every test run).
        .executableTarget(name: "send-one-clip", dependencies: ["PreflightKit", "FalSimulator"], path: "Examples/SendOneClip"),

        .executableTarget(
            name: "PreflightCLI",
            dependencies: [
                "PreflightCore",
                "MediaProbe",
                "ModelCatalog",
                "MediaAdapt",
                "FalClient",
                "LiveCatalog",
                "Submission",
                "Batch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Locating TestMedia, running ffprobe (the reference) and the built `preflight` binary.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "TestSupport"]),
        .testTarget(name: "MediaProbeTests", dependencies: ["MediaProbe", "TestSupport"]),
        .testTarget(name: "FalClientTests", dependencies: ["FalClient", "FalSimulator", "TestSupport"]),
        .testTarget(name: "MediaAdaptTests", dependencies: ["MediaAdapt", "TestSupport"]),
        .testTarget(name: "SubmissionTests", dependencies: ["Submission", "FalSimulator", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "BatchTests", dependencies: ["Batch", "MediaProbe", "ModelCatalog", "Submission", "FalSimulator", "FalClient", "TestSupport"]),
        .testTarget(name: "LiveCatalogTests", dependencies: ["LiveCatalog", "FalSimulator", "TestSupport"]),
        .testTarget(name: "ModelCatalogTests", dependencies: ["ModelCatalog", "TestSupport"], exclude: ["Fixtures"]),
        // Runs the real executable: exit codes, output streams and formats as a user sees them.
        .testTarget(name: "PreflightCLITests", dependencies: ["PreflightCLI", "FalSimulator", "TestSupport"]),
    ]
)
