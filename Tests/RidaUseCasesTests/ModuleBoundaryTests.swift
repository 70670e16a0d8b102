import Foundation
import RidaTesting
import Testing

@Suite struct ModuleBoundaryTests {
    /// The use cases sit between the store and the shells: they may not reach for the HTTP server, the argument parser
    /// or SQLite, so a second store and a third shell can use them as they are.
    @Test func theUseCasesImportNeitherAShellNorTheDatabaseLibrary() throws {
        let folder = repositoryRoot().appendingPathComponent("Sources/RidaUseCases")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 6)
        let allowed: Set<String> = ["Foundation", "Logging", "RidaSurvey", "RidaAggregation", "RidaAssessment", "RidaStore",
                                    "RidaImport", "RidaReports"]
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let imports = text.split(separator: "\n").filter { $0.hasPrefix("import ") }.map { String($0.dropFirst(7)) }
            #expect(Set(imports).isSubset(of: allowed), "\(file) imports \(Set(imports).subtracting(allowed).sorted())")
        }
    }
}

/// docs/architecture.md's table of what each module may import, kept true: a module that starts importing another
/// outside library (GRDB outside the store, Hummingbird outside the service, ArgumentParser outside the executables)
/// fails here, and the page and this table change together.
@Suite struct ArchitectureImportTests {
    /// Besides these, every module may import the modules to its left in the dependency diagram (checked by SwiftPM).
    static let system: Set<String> = ["Foundation", "FoundationXML", "Glibc", "Synchronization"]
    static let rida: Set<String> = ["RidaSurvey", "RidaAggregation", "RidaAssessment", "RidaStore", "RidaImport",
                                    "RidaReports", "RidaUseCases", "RidaDemo", "RidaHTTP", "RidaPostgres"]
    static let outside: [String: Set<String>] = [
        "RidaSurvey": [],
        "RidaAggregation": [],
        "RidaAssessment": [],
        "RidaStore": ["GRDB", "GRDBSQLite", "Crypto", "Logging"],
        "RidaPostgres": ["PostgresNIO", "NIOCore", "Crypto", "Logging"],
        "RidaImport": ["ZIPFoundation", "Crypto", "Logging"],
        "RidaReports": ["CXlsxWriter", "CQrencode", "Crypto"],
        "RidaUseCases": ["Logging"],
        "RidaDemo": [],
        "RidaHTTP": ["Hummingbird", "HummingbirdCore", "NIOCore", "NIOHTTPTypes", "HTTPTypes", "ServiceLifecycle",
                     "CoreMetrics", "Prometheus", "Logging"],
        "RidaCLI": ["ArgumentParser", "Logging"],
        "RidaBench": ["ArgumentParser", "GRDBSQLite", "Logging"],
        "RidaTesting": [],
    ]

    static func imports(of module: String) throws -> [String: Set<String>] {
        let folder = repositoryRoot().appendingPathComponent("Sources/\(module)")
        var found: [String: Set<String>] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                // `import X`, `@preconcurrency import X`, `@_exported import X`, `import struct X.Y`.
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
                guard words.first == "import", words.count >= 2 else { continue }
                let name = words.count >= 3 && ["struct", "class", "enum", "func", "protocol", "typealias"].contains(String(words[1]))
                    ? words[2] : words[1]
                found[file, default: []].insert(String(name.split(separator: ".").first ?? name))
            }
        }
        return found
    }

    @Test func everyModuleImportsOnlyTheOutsideLibrariesTheArchitecturePageAllows() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot().appendingPathComponent("Sources").path)
            .filter { $0.hasPrefix("Rida") }
        // A new module needs its row here and on docs/architecture.md.
        #expect(Set(modules) == Set(Self.outside.keys), "modules without a row: \(Set(modules).subtracting(Self.outside.keys).sorted())")
        for module in modules {
            let allowed = Self.system.union(Self.rida).union(Self.outside[module] ?? [])
            for (file, names) in try Self.imports(of: module) {
                #expect(names.isSubset(of: allowed), "\(module)/\(file) imports \(names.subtracting(allowed).sorted())")
            }
        }
    }

    @Test func theTableNamesGRDBOnlyInTheStoreAndTheBenchmarksYardstick() {
        // The rule the page states, read off the table itself, so the table cannot drift from it.
        let grdb = Self.outside.filter { !$0.value.isDisjoint(with: ["GRDB", "GRDBSQLite"]) }.keys.sorted()
        #expect(grdb == ["RidaBench", "RidaStore"])
        let hummingbird = Self.outside.filter { $0.value.contains("Hummingbird") }.keys.sorted()
        #expect(hummingbird == ["RidaHTTP"])
        let parser = Self.outside.filter { $0.value.contains("ArgumentParser") }.keys.sorted()
        #expect(parser == ["RidaBench", "RidaCLI"])
        let postgres = Self.outside.filter { $0.value.contains("PostgresNIO") }.keys.sorted()
        #expect(postgres == ["RidaPostgres"])
    }
}
