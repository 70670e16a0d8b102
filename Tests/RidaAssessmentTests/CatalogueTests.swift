import Foundation
import RidaAssessment
import RidaTesting
import Testing

/// The guide's source text, beside the repository as `../shared/seed/…` (as on the developers' machines and in CI).
let guidePath = repositoryRoot().deletingLastPathComponent().appendingPathComponent("shared/seed/000_24a02a86bf79b594.txt").path

@Suite struct CatalogueTests {
    let catalogue = Catalogue.standard

    @Test(arguments: [("catalogue/framework-1.json", StandardCatalogue.framework1), ("catalogue/framework-2.json", StandardCatalogue.framework2)])
    func embeddedCatalogueEqualsTheFileByteForByte(file: String, embedded: String) throws {
        let data = try Data(contentsOf: repositoryRoot().appendingPathComponent(file))
        // The generated Swift string drops the file's final line break (a multi-line literal's last newline).
        #expect(Data((embedded + "\n").utf8) == data, "run scripts/embed-catalogue")
    }

    @Test func frameworkOneCountsMatchTheGuidesSubcategoryTables() {
        let expected: [String: Int] = [
            "1.1": 6, "1.2": 4, "1.3": 3, "1.4": 3, "2.1": 7, "2.2": 2, "2.3": 5, "2.4": 2,
            "3.1": 7, "3.2": 9, "3.3": 7, "3.4": 13, "4.1": 3, "4.2": 5, "5.1": 4, "5.2": 10, "5.3": 4,
        ]
        let f1 = catalogue[.headquarters]
        var found: [String: Int] = [:]
        for category in f1.categories { for sub in category.subcategories { found[sub.id] = sub.criteria.count } }
        #expect(found == expected)
        #expect(f1.categories.count == 5)
    }

    @Test func frameworkOneTiersMatchTable1() {
        // Table 1: basic / advanced per category.
        let table1: [String: (Int, Int)] = ["1": (12, 4), "2": (9, 7), "3": (30, 6), "4": (5, 3), "5": (11, 7)]
        let criteria = catalogue[.headquarters].criteria
        for (category, (basic, advanced)) in table1 {
            #expect(criteria.filter { $0.category == category && $0.tier == .basic }.count == basic, "category \(category)")
            #expect(criteria.filter { $0.category == category && $0.tier == .advanced }.count == advanced, "category \(category)")
        }
        #expect(criteria.count == 94)
        #expect(criteria.filter { $0.tier == .basic }.count == 67)
        #expect(criteria.filter { $0.tier == .advanced }.count == 27)
        #expect(criteria.allSatisfy { $0.binding == nil && $0.tier != nil })
    }

    @Test func frameworkTwoCountsMatchTable2() {
        let f2 = catalogue[.remote]
        var binding: [String: Int] = [:]
        var all: [String: Int] = [:]
        for category in f2.categories {
            for sub in category.subcategories {
                all[sub.id] = sub.criteria.count
                binding[sub.id] = sub.criteria.filter { $0.binding == true }.count
            }
        }
        #expect(all == ["1.1": 6, "1.2": 7, "1.3": 5, "2.1": 4, "2.2": 3, "2.3": 5, "3.1": 7, "3.2": 7, "3.3": 4])
        #expect(binding == ["1.1": 6, "1.2": 7, "1.3": 5, "2.1": 4, "2.2": 3, "2.3": 4, "3.1": 7, "3.2": 7, "3.3": 2])
        // Table 2: binding criteria per category.
        let criteria = f2.criteria
        #expect(criteria.filter { $0.category == "1" && $0.binding == true }.count == 18)
        #expect(criteria.filter { $0.category == "2" && $0.binding == true }.count == 11)
        #expect(criteria.filter { $0.category == "3" && $0.binding == true }.count == 16)
        #expect(criteria.filter { $0.binding == true }.count == 45)
        #expect(Set(criteria.filter { $0.binding == false }.map(\.id)) == ["2.3.5", "3.3.3", "3.3.4"])
        #expect(criteria.allSatisfy { $0.tier == nil })
    }

    /// 2.3.1, 2.3.5 and framework 2's 3.2.1 are the evaluator's, with Rida's data shown beside (guide-notes decision 11).
    @Test func theCriteriaDecidedFromDataAreTheOnesRidaComputes() {
        #expect(Set(catalogue[.headquarters].criteria.filter { $0.decidedBy == .data }.map(\.id)) == ["2.3.2", "2.3.3"])
        #expect(Set(catalogue[.remote].criteria.filter { $0.decidedBy == .data }.map(\.id))
            == ["2.3.2", "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.2.7"])
    }

    /// Decision 12: only a criterion whose whole text is conditional may be not applicable; each quotes its condition.
    @Test func onlyTheConditionalCriteriaMayBeNotApplicable() throws {
        #expect(catalogue[.headquarters].criteria.filter(\.mayBeNotApplicable).map(\.id) == ["2.1.1", "2.1.3"])
        #expect(catalogue[.remote].criteria.filter(\.mayBeNotApplicable).map(\.id) == ["3.1.1"])
        for (framework, id) in [(Framework.headquarters, "2.1.1"), (.headquarters, "2.1.3"), (.remote, "3.1.1")] {
            let criterion = try #require(catalogue[framework].criterion(id))
            let condition = try #require(criterion.condition)
            #expect(criterion.text.ar.contains(condition.ar))
            #expect(condition.ar.hasPrefix("في حال"))
        }
        // A qualifier on part of a criterion does not make it conditional.
        #expect(catalogue[.headquarters].criterion("4.1.3")?.text.ar.contains("(إن وجدت)") == true)
        #expect(catalogue[.headquarters].criterion("4.1.3")?.mayBeNotApplicable == false)
        #expect(catalogue[.remote].criterion("1.2.7")?.mayBeNotApplicable == false)
    }

    @Test func idsAreNumberedWithoutGapsInsideEachSubcategory() {
        for framework in Framework.allCases {
            for category in catalogue[framework].categories {
                for sub in category.subcategories {
                    #expect(sub.criteria.map(\.id) == (1...sub.criteria.count).map { "\(sub.id).\($0)" })
                    #expect(sub.id.hasPrefix(category.id + "."))
                }
            }
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: guidePath), "the guide's text is not beside the repository (../shared/seed); skipped"))
    func sampleTextsAreTheGuidesWordsVerbatim() throws {
        // The extraction spreads some letters with tatweel; the catalogue removes it, so the comparison does too.
        let guide = try String(contentsOfFile: guidePath, encoding: .utf8).replacingOccurrences(of: "\u{0640}", with: "")
        let sample: [(Framework, String)] = [
            (.headquarters, "1.1.1"), (.headquarters, "1.2.2"), (.headquarters, "2.3.1"), (.headquarters, "2.3.3"),
            (.headquarters, "2.3.4"), (.headquarters, "3.4.13"), (.headquarters, "4.2.5"), (.headquarters, "5.2.2"),
            (.headquarters, "5.3.4"), (.remote, "1.1.1"), (.remote, "2.1.1"), (.remote, "3.2.1"), (.remote, "3.2.4"),
            (.remote, "3.2.5"), (.remote, "3.2.7"), (.remote, "3.3.2"),
        ]
        for (framework, id) in sample {
            let criterion = try #require(catalogue[framework].criterion(id))
            #expect(guide.contains(criterion.text.ar), "framework \(framework.rawValue) \(id)")
        }
        // Thresholds the engine decides on are in the texts as the guide words them.
        #expect(catalogue[.headquarters].criterion("2.3.2")?.text.ar.contains("لا يقل عن 3 في 80%") == true)
        #expect(catalogue[.remote].criterion("3.2.7")?.text.ar.contains("لا يقل عن 95%") == true)
    }
}
