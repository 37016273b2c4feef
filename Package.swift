// swift-tools-version: 6.2
import PackageDescription

// Build time matters here (2 cores, CI builds from a clean clone): each dependency must
// earn its compile time. Benchmarks live in their own package under Benchmarks/.
let package = Package(
    name: "divan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "divan", targets: ["divan"]),
        .library(name: "DocStore", targets: ["DocStore"]),
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "Replication", targets: ["Replication"]),
        .library(name: "Apps", targets: ["Apps"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Zstd", targets: ["Zstd"]),
        .library(name: "Gzip", targets: ["Gzip"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CJavaScriptCore", pkgConfig: "javascriptcoregtk-4.1", providers: [.apt(["libjavascriptcoregtk-4.1-dev"])]),
        // ICU's root collator, which CouchDB collates view and Mango keys with. A C target, not a
        // system library: Foundation on Linux ships its own ICU, and a module map importing the
        // system's ICU headers into Swift conflicts with it; CICU's header declares no ICU type.
        .target(
            name: "CICU",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        .target(name: "Zstd", dependencies: ["CZstd"]),
        .target(name: "Gzip", dependencies: ["CZlib"]),
        .target(name: "JavaScript", dependencies: ["CJavaScriptCore"]),
        .target(
            name: "DocStore",
            dependencies: [
                "CICU", "LMDB", "JavaScript", "Zstd", "Gzip", .product(name: "Crypto", package: "swift-crypto"),
                // PBKDF2 for PasswordHash, shared by Server's `_users` and Apps' users.
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ObjectStore",
            dependencies: ["LMDB", "Zstd", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Replication",
            dependencies: [
                "DocStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Apps", dependencies: ["DocStore", "Gzip", "ObjectStore", "Replication", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Server",
            dependencies: [
                "Apps",
                "DocStore",
                "Gzip",
                "ObjectStore",
                "Replication",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "divan",
            dependencies: ["Server", "DocStore", "Replication", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The child process the crash-safety test kills (built with the tests).
        .executableTarget(name: "docstore-crash-writer", dependencies: ["DocStore", "TestSupport"], path: "Tests/CrashWriter"),
        .executableTarget(
            name: "objectstore-crash-writer",
            dependencies: ["ObjectStore", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/ObjectStoreCrashWriter"
        ),
        // Shared by the tests and their crash-writer children: killing a child, its side of it, a seedable generator.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "JavaScriptTests", dependencies: ["JavaScript"]),
        .testTarget(name: "DocStoreTests", dependencies: ["DocStore", "Zstd", "Gzip", "TestSupport"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "TestSupport"]),
        .testTarget(name: "AppsTests", dependencies: ["Apps", "DocStore", "ObjectStore", "Replication"]),
        .testTarget(
            name: "ReplicationTests",
            dependencies: [
                "Replication", "DocStore", "Server", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", "DocStore", "ObjectStore", "Gzip", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
