import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `rida widgets` through the built `rida`: a widget made with every problem named at once when its options are wrong,
/// the lines for the site's pages printed with its publishable key, listed, its origins replaced, revoked once.
@Suite struct WidgetsEndToEndTests {
    let temp: TemporaryDatabase

    init() throws {
        temp = try TemporaryDatabase()
        let store = try temp.open()
        try store.close()
    }

    func rida(_ arguments: [String]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder)
    }

    @Test func aWidgetIsMadeListedRescopedAndRevoked() async throws {
        defer { temp.remove() }
        var result = try rida(["widgets", "create", "--centre", "C01", "--channel", "web", "--origin", "www.moi.gov.bh/path", "--label", " "])
        #expect(result.status == 2)
        #expect(result.stderr.contains("label is empty") && result.stderr.contains("\"web\" is not a channel of this deployment")
                && result.stderr.contains("is not a web origin"))

        result = try rida(["widgets", "create", "--centre", "C01", "--channel", "website", "--channel", "mobile_app",
                           "--origin", "https://WWW.moi.gov.bh/", "--label", "موقع الوزارة", "--base-url", "https://rida.example.bh"])
        #expect(result.status == 0, "\(result.stderr)")
        let key = try #require(result.stdout.split(whereSeparator: { $0 == " " || $0 == "\"" || $0 == "\n" }).first { $0.hasPrefix("pk_") }.map(String.init))
        #expect(Widget.isKeyShaped(key))
        #expect(result.stdout.contains("<script src=\"https://rida.example.bh/embed.js\" data-key=\"\(key)\" data-channel=\"website\""))
        #expect(result.stdout.contains("<iframe src=\"https://rida.example.bh/w/\(key)?channel=website&lang=ar\""))
        #expect(result.stdout.contains("shown on https://www.moi.gov.bh."))

        result = try rida(["widgets", "list"])
        #expect(result.status == 0 && result.stdout.contains(key) && result.stdout.contains("موقع الوزارة")
                && result.stdout.contains("website, mobile_app") && result.stdout.contains("active"))

        result = try rida(["widgets", "origins", "1", "--origin", "https://moi.gov.bh", "--origin", "http://localhost:8080"])
        #expect(result.status == 0 && result.stdout.contains("https://moi.gov.bh, http://localhost:8080"), "\(result.stderr)")
        result = try rida(["widgets", "origins", "1", "--origin", "https://*.gov.bh"])
        #expect(result.status == 2 && result.stderr.contains("wildcard"))

        result = try rida(["widgets", "revoke", "1"])
        #expect(result.status == 0 && result.stdout.contains("Widget #1 is revoked."))
        result = try rida(["widgets", "revoke", "1"])
        #expect(result.status != 0 && result.stderr.contains("no widget 1"))
        let store = try temp.open()
        defer { try? store.close() }
        let widgets = try await store.widgets()
        #expect(widgets.count == 1 && widgets[0].revokedAt != nil && widgets[0].origins == ["https://moi.gov.bh", "http://localhost:8080"])
    }
}
