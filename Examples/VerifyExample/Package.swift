// swift-tools-version: 6.0
import PackageDescription

// An app that embeds the DL1 verifier, depending on the toolchain by path (an app would use
// the repository's URL and a version instead). The tests build and run it.
let package = Package(
    name: "VerifyExample",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "dl1", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "verify-example",
                          dependencies: [.product(name: "DL1Verifier", package: "dl1")]),
    ]
)
