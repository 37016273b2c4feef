// swift-tools-version: 6.2
import PackageDescription

// A separate package so that `swift build` / `swift test` at the root never compile it.
let package = Package(
    name: "divan-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "divan-bench",
            dependencies: [.product(name: "DocStore", package: "divan"), .product(name: "LMDB", package: "divan")]
        )
    ],
    swiftLanguageModes: [.v6]
)
