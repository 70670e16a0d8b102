// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Rida",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rida", targets: ["RidaCLI"]),
        .executable(name: "rida-bench", targets: ["RidaBench"]),
        .library(name: "RidaSurvey", targets: ["RidaSurvey"]),
        .library(name: "RidaStore", targets: ["RidaStore"]),
        .library(name: "RidaAggregation", targets: ["RidaAggregation"]),
        .library(name: "RidaImport", targets: ["RidaImport"]),
        .library(name: "RidaReports", targets: ["RidaReports"]),
        .library(name: "RidaHTTP", targets: ["RidaHTTP"]),
        .library(name: "RidaAssessment", targets: ["RidaAssessment"]),
        .library(name: "RidaUseCases", targets: ["RidaUseCases"]),
        .library(name: "RidaPostgres", targets: ["RidaPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The questionnaire, responses, channels, quarters and validation. No dependencies.
        .target(name: "RidaSurvey"),
        // Counts in, figures and thresholds out. Pure.
        .target(name: "RidaAggregation", dependencies: ["RidaSurvey"]),
        // The guide's criteria catalogue, verdicts, the rules decided from data, classification. Pure.
        .target(name: "RidaAssessment", dependencies: ["RidaSurvey", "RidaAggregation"]),
        // The SQLite store: migrations, responses, rollups, import bookkeeping. Only module to import GRDB.
        .target(
            name: "RidaStore",
            dependencies: [
                "RidaSurvey", "RidaAggregation", "RidaAssessment",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PostgreSQL store: the same protocols as the SQLite one, for several instances over one database (issue 14).
        // Only module to import PostgresNIO.
        .target(
            name: "RidaPostgres",
            dependencies: [
                "RidaSurvey", "RidaAggregation", "RidaAssessment", "RidaStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Reading files from other systems: CSV, JSON Lines, mappings; batches into the store.
        .target(
            name: "RidaImport",
            dependencies: [
                "RidaSurvey", "RidaAggregation", "RidaStore", "RidaAssessment",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // XLSX workbooks are ZIP archives of XML parts.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // Debian's libxlsxwriter, for the report's workbook (apt: libxlsxwriter-dev).
        .systemLibrary(name: "CXlsxWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        .systemLibrary(name: "CQrencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Renderings of the quarterly report: text, JSON, CSV, HTML, the workbook; the frozen content's hashes.
        .target(name: "RidaReports", dependencies: [
            "RidaSurvey", "RidaAggregation", "RidaAssessment", "CXlsxWriter", "CQrencode",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // One function per thing a user does (show a report, the saved-report life, record verdicts, import a checklist
        // or a file), called by both shells. Imports neither Hummingbird, ArgumentParser nor GRDB.
        .target(
            name: "RidaUseCases",
            dependencies: [
                "RidaSurvey", "RidaAggregation", "RidaAssessment", "RidaStore", "RidaImport", "RidaReports",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP service for kiosks, call centres and the live display. Only module to import Hummingbird.
        .target(
            name: "RidaHTTP",
            dependencies: [
                "RidaSurvey", "RidaStore", "RidaAggregation", "RidaAssessment", "RidaReports", "RidaUseCases",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [
                .embedInCode("Resources/openapi.json"),
                .embedInCode("Resources/kiosk.html"),
                .embedInCode("Resources/kiosk.js"),
                .embedInCode("Resources/setup.html"),
                .embedInCode("Resources/live.html"),
                .embedInCode("Resources/live.js"),
                .embedInCode("Resources/rida.css"),
                .embedInCode("Resources/embed.js"),
                .embedInCode("Resources/embed.css"),
            ]
        ),
        // A realistic, reproducible demo database.
        .target(name: "RidaDemo", dependencies: ["RidaSurvey", "RidaAssessment", "RidaStore"]),
        // The `rida` command: a thin shell over the use cases. ArgumentParser is imported here and by rida-bench only.
        .executableTarget(
            name: "RidaCLI",
            dependencies: [
                "RidaSurvey", "RidaStore", "RidaAggregation", "RidaAssessment", "RidaImport", "RidaReports", "RidaDemo", "RidaHTTP",
                "RidaUseCases", "RidaPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `rida-bench`: ingest and report figures against a raw SQLite yardstick, and on PostgreSQL beside them.
        .executableTarget(
            name: "RidaBench",
            dependencies: [
                "RidaSurvey", "RidaStore", "RidaImport", "RidaAggregation", "RidaAssessment", "RidaReports", "RidaPostgres",
                // The SQLite C API only, for the raw yardstick measured beside Rida.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test support: temporary databases, response builders, fixture loaders. Not a product.
        .target(name: "RidaTesting", dependencies: ["RidaSurvey", "RidaStore", "RidaPostgres"]),

        .testTarget(name: "RidaSurveyTests", dependencies: ["RidaSurvey", "RidaTesting"]),
        .testTarget(name: "RidaAggregationTests", dependencies: ["RidaAggregation", "RidaSurvey", "RidaTesting"]),
        .testTarget(name: "RidaStoreTests", dependencies: [
            "RidaStore", "RidaAssessment", "RidaTesting", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "RidaImportTests", dependencies: [
            "RidaImport", "RidaStore", "RidaAssessment", "RidaAggregation", "RidaTesting", "CXlsxWriter",
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "RidaReportsTests", dependencies: ["RidaReports", "RidaAggregation", "RidaAssessment", "RidaStore", "RidaTesting"], exclude: ["Golden"]),
        .testTarget(name: "RidaCLITests", dependencies: ["RidaTesting", "RidaStore", "RidaPostgres"]),
        .testTarget(
            name: "RidaHTTPTests",
            dependencies: [
                "RidaHTTP", "RidaStore", "RidaSurvey", "RidaTesting", "RidaDemo", "RidaAssessment", "RidaImport", "RidaReports",
                "RidaPostgres",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "RidaUseCasesTests",
            dependencies: [
                "RidaUseCases", "RidaStore", "RidaSurvey", "RidaAssessment", "RidaAggregation", "RidaReports", "RidaHTTP", "RidaTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RidaPostgresTests", dependencies: [
            "RidaPostgres", "RidaStore", "RidaSurvey", "RidaAggregation", "RidaTesting",
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "RidaAssessmentTests", dependencies: ["RidaAssessment", "RidaAggregation", "RidaSurvey", "RidaTesting"]),
    ]
)
