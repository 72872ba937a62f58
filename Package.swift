// swift-tools-version: 6.0
import PackageDescription

/// Layers, dependencies pointing down:
/// C system libraries (C*) → one Swift wrapper module each (DL1Crypto, DL1Compression,
/// DL1QREncode, DL1Raster, DL1Scanner) → pure format code (DL1Format) → DL1Verifier (what an
/// integrator or a handheld links: no registry, no SQLite, no issuer code) and DL1Issuer
/// (registry, signing, rendering) → command libraries → two thin executables.
let package = Package(
    name: "dl1",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DL1Verifier", targets: ["DL1Verifier"]),
        .library(name: "DL1Issuer", targets: ["DL1Issuer"]),
        // The C interface (dlverify.h) as a shared library: libdlverify.so.
        .library(name: "dlverify", type: .dynamic, targets: ["DL1VerifyCABI"]),
        .executable(name: "dl-issue", targets: ["dl-issue"]),
        .executable(name: "dl-verify", targets: ["dl-verify"]),
        // The holder's side: a device key, bound credentials, DL2 presentations.
        .library(name: "DL1Holder", targets: ["DL1Holder"]),
        .executable(name: "dl-wallet", targets: ["dl-wallet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The services (dl-issue serve) and their clients (dl-wallet enrol/refresh, dl-verify sync).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Only for `swift package generate-documentation` (the DocC catalogue); not linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each behind a module map and a small shim header.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode",
                       providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CZBar", pkgConfig: "zbar", providers: [.apt(["libzbar-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CPKCS11", pkgConfig: "p11-kit-1", providers: [.apt(["libp11-kit-dev"])]),
        // libjpeg reports errors by longjmp, which Swift cannot do: a tiny C bridge.
        .target(name: "CJPEGBridge", dependencies: ["CJPEG"]),
        // zxing-cpp (Debian's libzxing-dev) is C++: a small shim gives it a C interface.
        // DWARF 4: clang's default DWARF 5 debug info stops Debian 12's valgrind (3.19) from
        // reading libdlverify.so at all, which the C library's valgrind tests need.
        .target(name: "CZXing", cxxSettings: [.unsafeFlags(["-gdwarf-4"])], linkerSettings: [.linkedLibrary("ZXing")]),

        // Swift wrappers: the only modules that touch unsafe pointers.
        .target(name: "DL1Crypto", dependencies: ["CCrypto"]),
        .target(name: "DL1Compression", dependencies: ["CZlib"]),
        .target(name: "DL1QREncode", dependencies: ["CQREncode", "DL1Raster", "DL1Compression"]),
        .target(name: "DL1Raster", dependencies: ["CPNG", "CJPEGBridge"]),
        .target(name: "DL1Scanner", dependencies: ["CZBar", "CZXing", "DL1Raster"]),
        .target(name: "DL1PKCS11", dependencies: ["CPKCS11", "DL1Crypto"]),

        // Pure Swift: CBOR, Base45, COSE_Sign1, DL1 claims and licence model, status-list bits.
        .target(name: "DL1Format"),

        // The verifier: what a handheld or an integrator links.
        .target(name: "DL1Verifier",
                dependencies: ["DL1Format", "DL1Crypto", "DL1Compression", "DL1Raster", "DL1Scanner"]),

        // The C interface: dlverify.h (in a C target, so C and Swift share its types) and the
        // Swift module that implements it over DL1Verifier. Only these touch C strings.
        .target(name: "CDLVerify", exclude: ["dlverify.map", "dlverify.symbols"]),
        .target(name: "DL1VerifyCABI", dependencies: ["CDLVerify", "DL1Verifier", "DL1Crypto", "DL1Raster"],
                // libdlverify exports the dlv_ functions and nothing else (see dlverify.map).
                linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/CDLVerify/dlverify.map"])]),

        // The holder's device: its key (file, encrypted file or PKCS#11 token), bound
        // credentials and DL2 presentations. Links the verifier (to check what it stores), never
        // the issuer, SQLite or a server.
        .target(name: "DL1Holder",
                dependencies: ["DL1Format", "DL1Crypto", "DL1Compression", "DL1Verifier", "DL1QREncode", "DL1PKCS11"]),

        // The issuer: keys, registry, signing, rendering.
        .target(name: "DL1Issuer",
                dependencies: ["DL1Format", "DL1Crypto", "DL1Compression", "DL1QREncode", "DL1Raster", "DL1Verifier", "DL1PKCS11",
                               .product(name: "GRDB", package: "GRDB.swift"),
                               .product(name: "PostgresNIO", package: "postgres-nio"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "Logging", package: "swift-log")]),

        // The service protocol: the JSON messages of enrolment and refresh, the bytes a device
        // signs to prove its key, the problem types. Pure Swift, shared by servers and clients.
        .target(name: "DL1ServiceAPI", dependencies: ["DL1Format"]),
        // Server plumbing every service shares (Hummingbird 2): problem documents, bounded
        // bodies, per-client rate limits, metrics, TLS, graceful shutdown, a log without
        // personal data.
        .target(name: "DL1HTTPServer",
                dependencies: ["DL1ServiceAPI", "DL1Crypto", "DL1Format",
                               .product(name: "HummingbirdCore", package: "hummingbird"),
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdTLS", package: "hummingbird"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics"),
                               .product(name: "Prometheus", package: "swift-prometheus")]),
        // The issuing service: publication, enrolment, refresh.
        .target(name: "DL1IssueServer",
                dependencies: ["DL1Issuer", "DL1Verifier", "DL1Holder", "DL1Format", "DL1Crypto", "DL1ServiceAPI", "DL1HTTPServer",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")]),
        // The clients of the issuing service (AsyncHTTPClient): a wallet's enrolment and refresh,
        // a handheld's sync into a verified cache. No server, no issuer code.
        .target(name: "DL1ServiceClient",
                dependencies: ["DL1ServiceAPI", "DL1Verifier", "DL1Holder", "DL1Format", "DL1Crypto",
                               .product(name: "AsyncHTTPClient", package: "async-http-client"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl")]),

        // The counter (dl-verify serve): the verifier as an HTTP service with a web page (Page/,
        // compiled in), data minimised by profile. Offline from the issuers: no issuer code.
        .target(name: "DL1VerifyServer",
                dependencies: ["DL1Verifier", "DL1Format", "DL1Crypto", "DL1ServiceAPI", "DL1HTTPServer", "DL1ServiceClient",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HummingbirdCore", package: "hummingbird"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "Metrics", package: "swift-metrics")],
                resources: [.embedInCode("Page/index.html"), .embedInCode("Page/app.js"), .embedInCode("Page/app.css")]),

        // Command logic (testable), and the two thin executables.
        .target(name: "DL1CommandSupport",
                dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "DL1VerifyCommand",
                dependencies: ["DL1Verifier", "DL1Scanner", "DL1Raster", "DL1CommandSupport", "DL1ServiceClient", "DL1VerifyServer", "DL1HTTPServer",
                               .product(name: "ArgumentParser", package: "swift-argument-parser"),
                               .product(name: "Logging", package: "swift-log")]),
        .target(name: "DL1IssueCommand",
                dependencies: ["DL1Issuer", "DL1Verifier", "DL1CommandSupport", "DL1IssueServer", "DL1HTTPServer",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "dl-verify", dependencies: ["DL1VerifyCommand"]),
        .target(name: "DL1WalletCommand",
                dependencies: ["DL1Holder", "DL1Verifier", "DL1QREncode", "DL1CommandSupport", "DL1ServiceClient", "DL1ServiceAPI", "DL1Crypto",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "dl-wallet", dependencies: ["DL1WalletCommand"]),
        .executableTarget(name: "dl-issue", dependencies: ["DL1IssueCommand"]),

        // Shared by the tests and the test-vector generator: a throw-away PKI and a code factory
        // that can break any rule on purpose.
        .target(name: "DL1TestSupport", dependencies: ["DL1Format", "DL1Crypto", "DL1Compression", "DL1Verifier", "DL1Raster"]),
        .executableTarget(name: "dl1-testvectors",
                          dependencies: ["DL1TestSupport", "DL1Format", "DL1Crypto", "DL1Verifier", "DL1Issuer", "DL1QREncode", "DL1Holder"]),

        // Benchmarks that print figures (never timed unit tests).
        .executableTarget(name: "dl1-bench",
                          dependencies: ["DL1Issuer", "DL1Verifier", "DL1TestSupport", "DL1Format", "DL1Crypto", "DL1Compression", "DL1PKCS11", "DL1Raster", "DL1Scanner",
                                         "DL1QREncode", "DL1Holder", "DL1ServiceClient", "DL1ServiceAPI",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "DL1FormatTests", dependencies: ["DL1Format", "DL1Compression", "DL1Crypto"],
                    resources: [.copy("Vectors")]),
        .testTarget(name: "DL1CryptoTests", dependencies: ["DL1Crypto", "DL1PKCS11", "DL1TestSupport"], resources: [.copy("Vectors")]),
        // Tests by layer. The verifier's build without the issuer, SQLite, gcc or valgrind; the
        // issuer's run in-process; the integration tests (tagged .slow) drive real processes,
        // gcc and valgrind, and a package built beside this one.
        .target(name: "DL1IssuerTestSupport",
                dependencies: ["DL1TestSupport", "DL1Issuer", "DL1IssueCommand", "DL1VerifyCommand", "DL1CommandSupport", "DL1Verifier", "DL1Format"]),
        .testTarget(name: "DL1VerifierTests",
                    dependencies: ["DL1Verifier", "DL1VerifyCommand", "DL1CommandSupport", "DL1TestSupport", "DL1Format", "DL1Crypto",
                                   "DL1Compression", "DL1Raster", "DL1Scanner", "DL1QREncode"]),
        .testTarget(name: "DL1IssuerTests",
                    dependencies: ["DL1Issuer", "DL1Verifier", "DL1IssueCommand", "DL1VerifyCommand", "DL1CommandSupport", "DL1TestSupport",
                                   "DL1IssuerTestSupport", "DL1Holder", "DL1WalletCommand",
                                   "DL1Format", "DL1Crypto", "DL1Raster", "DL1Compression", "DL1QREncode", "DL1PKCS11"]),
        // The issuing service and its clients over real HTTP on loopback (in-process servers).
        .testTarget(name: "DL1ServiceTests",
                    dependencies: ["DL1IssueServer", "DL1HTTPServer", "DL1ServiceClient", "DL1ServiceAPI", "DL1Issuer", "DL1Verifier",
                                   "DL1Holder", "DL1IssuerTestSupport", "DL1TestSupport", "DL1Format", "DL1Crypto",
                                   "DL1VerifyCommand", "DL1WalletCommand", "DL1CommandSupport",
                                   .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                   .product(name: "NIOHTTP1", package: "swift-nio"),
                                   .product(name: "HTTPTypes", package: "swift-http-types"),
                                   .product(name: "Logging", package: "swift-log")]),
        // The counter (dl-verify serve) over real HTTP on loopback, its OpenAPI document,
        // schemathesis and the page in headless Chromium: verifier side only, no issuer.
        .testTarget(name: "DL1CounterTests",
                    dependencies: ["DL1VerifyServer", "DL1VerifyCommand", "DL1CommandSupport", "DL1HTTPServer", "DL1ServiceAPI", "DL1Verifier",
                                   "DL1TestSupport", "DL1Format", "DL1Crypto", "DL1QREncode", "DL1Raster",
                                   .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                   .product(name: "NIOCore", package: "swift-nio"),
                                   .product(name: "NIOPosix", package: "swift-nio"),
                                   .product(name: "NIOEmbedded", package: "swift-nio"),
                                   .product(name: "NIOHTTP1", package: "swift-nio"),
                                   .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                                   .product(name: "HTTPTypes", package: "swift-http-types"),
                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "DL1IntegrationTests",
                    dependencies: ["DL1Issuer", "DL1Verifier", "DL1IssueCommand", "DL1VerifyCommand", "DL1CommandSupport", "DL1TestSupport",
                                   "DL1IssuerTestSupport", "DL1Format", "DL1Crypto", "DL1Raster", "DL1ServiceClient", "DL1ServiceAPI", "DL1Holder",
                                   .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    cxxLanguageStandard: .cxx17
)
