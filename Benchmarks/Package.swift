// swift-tools-version: 6.2
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which differs between clones.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// A separate package so that `swift build` / `swift test` at the root never compile it.
let package = Package(
    name: "divan-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Plain C loops over memcmp and ICU's ucol_strcollUTF8: the collation benchmark's baselines.
        .target(
            name: "CollationBaseline",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),
        .executableTarget(
            name: "divan-bench",
            dependencies: [
                "CollationBaseline",
                .product(name: "DocStore", package: root), .product(name: "LMDB", package: root),
                .product(name: "Server", package: root), .product(name: "Replication", package: root),
                .product(name: "Zstd", package: root), .product(name: "Crypto", package: "swift-crypto"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
