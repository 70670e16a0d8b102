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
