import Foundation
import RidaAggregation
import RidaAssessment
import RidaSurvey
import RidaTesting
import Testing
@testable import RidaReports

/// Debian's chromium, when installed (.ci/run installs it).
let chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite struct HTMLReportTests {
    let golden = RenderingTests()

    @Test func rendersTheArabicPageAsTheGoldenFile() throws {
        try golden.check(HTMLReport.render(smallSnapshot()), against: "small-report.html")
    }

    @Test func rendersThePublicEnglishPageAsTheGoldenFile() throws {
        try golden.check(HTMLReport.render(smallSnapshot(), language: .en, audience: .public), against: "small-report-public.en.html")
    }

    @Test func isArabicRightToLeftByDefaultAndEnglishOnRequest() {
        let ar = HTMLReport.render(smallSnapshot())
        #expect(ar.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(ar.contains("تقرير قياس رضا المتعاملين الربعي"))
        #expect(ar.contains("@page { size: A4"))
        let en = HTMLReport.render(smallSnapshot(), language: .en)
        #expect(en.contains("<html lang=\"en\" dir=\"ltr\">"))
        #expect(en.contains("Quarterly customer-satisfaction report"))
    }

    @Test(arguments: [Language.ar, .en], ReportAudience.allCases)
    func isSelfContained(language: Language, audience: ReportAudience) {
        let html = HTMLReport.render(smallSnapshot(), language: language, audience: audience)
        for outside in ["http://", "https://", "<script", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe"] {
            #expect(!html.contains(outside), "the page must hold no \(outside)")
        }
        // The comment's markup is shown as text, never run.
        if audience == .quality { #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")) }
    }

    @Test func drawsStackedBarsAndLineCharts() {
        let html = HTMLReport.render(smallSnapshot())
        // Two channels × four questions.
        #expect(html.components(separatedBy: "<svg class=\"bar\"").count - 1 == 8)
        // Kiosk, counter and all channels: a share chart and a mean chart each.
        #expect(html.components(separatedBy: "<svg class=\"line share\"").count - 1 == 3)
        #expect(html.components(separatedBy: "<svg class=\"line mean\"").count - 1 == 3)
        // The kiosk had ratings in 2025-Q4 and 2026-Q1: a line between its two points.
        #expect(html.contains("<polyline class=\"series\""))
    }

    @Test func mirrorsTheBarsInArabic() {
        // The kiosk's q1: a 2 and a 5. In Arabic, score 1's end is on the right: the 2 starts at x = 100 (of 200).
        let ar = HTMLReport.render(smallSnapshot())
        #expect(ar.contains("<rect class=\"s2\" x=\"100\" y=\"0\" width=\"100\""))
        #expect(ar.contains("<rect class=\"s5\" x=\"0\" y=\"0\" width=\"100\""))
        let en = HTMLReport.render(smallSnapshot(), language: .en)
        #expect(en.contains("<rect class=\"s2\" x=\"0\" y=\"0\" width=\"100\""))
        #expect(en.contains("<rect class=\"s5\" x=\"100\" y=\"0\" width=\"100\""))
    }

    @Test func suppressesSmallCells() throws {
        let html = HTMLReport.render(smallSnapshot(), language: .en)
        let services = try #require(section("services", of: html))
        // «شهادة ميلاد» has 3 responses; the smallest other cell (Smart card renewal, 12) is suppressed with it.
        #expect(services.components(separatedBy: "class=\"suppressed\"").count - 1 == 2)
        #expect(services.contains("<td class=\"num\">15</td>"))
        #expect(!services.contains("<td class=\"num\">12</td>") && !services.contains("<td class=\"num\">3</td>"))
        let counters = try #require(section("counters", of: html))
        // Counters 4 (9 responses) and 5 (4): two small cells, no other needs hiding; counter 3's 10 responses are shown.
        #expect(counters.components(separatedBy: "class=\"suppressed\"").count - 1 == 2)
        #expect(counters.contains("<td class=\"num\">10</td>"))
        #expect(!counters.contains("<td class=\"num\">9</td>") && !counters.contains("<td class=\"num\">4</td>"))
    }

    @Test func thePublicVersionLeavesOutCommentsAndCounters() {
        let html = HTMLReport.render(smallSnapshot(), audience: .public)
        #expect(!html.contains("id=\"comments\"") && !html.contains("id=\"counters\""))
        #expect(!html.contains("الانتظار طويل") && !html.contains("شكراً للموظف"))
        // What 2.3.4 and 3.2.6 ask to publish stays: the period, the method and the results per channel.
        #expect(html.contains("id=\"summary\"") && html.contains("id=\"method\"") && html.contains("2026-01-01 – 2026-03-31"))
        #expect(html.contains("id=\"services\""))
        let quality = HTMLReport.render(smallSnapshot())
        #expect(quality.contains("id=\"comments\"") && quality.contains("id=\"counters\"") && quality.contains("شكراً للموظف"))
    }

    @Test func listsLowRatedCommentsFirst() throws {
        let html = HTMLReport.render(smallSnapshot())
        let comments = try #require(section("comments", of: html))
        let low = try #require(comments.range(of: "الانتظار طويل"))
        let high = try #require(comments.range(of: "شكراً للموظف"))
        #expect(low.lowerBound < high.lowerBound)
        #expect(comments.contains("<li class=\"low\">"))
    }

    /// Hand-computed two-proportion tests of the share of ratings 4–5, 100 ratings in each quarter:
    /// 86 against 75: pooled p = 0.805, z = 0.11 / √(0.805 · 0.195 · 0.02) = 1.963 ≥ 1.96: significant, ▲.
    /// 85 against 75: pooled p = 0.8, z = 0.10 / √(0.8 · 0.2 · 0.02) = 1.768: not significant, no arrow.
    /// 75 against 90: pooled p = 0.825, z = −0.15 / √(0.825 · 0.175 · 0.02) = −2.79: significant, ▼.
    /// 80 against 75: z = 0.847: no arrow.
    @Test(arguments: [(86, 75, "▲", 1.963), (85, 75, nil, 1.768), (75, 90, "▼", -2.791), (80, 75, nil, 0.847)] as [(Int, Int, String?, Double)])
    func showsTheArrowOnlyWhenTheChangeIsSignificant(current: Int, previous: Int, arrow: String?, z: Double) throws {
        let snapshot = changeSnapshot(current: current, previous: previous)
        let test = try #require(snapshot.report.groups.first?.change?.share4Test)
        #expect(abs(test.z - z) < 0.001)
        let html = HTMLReport.render(snapshot, language: .en)
        let summary = try #require(section("summary", of: html))
        if let arrow {
            #expect(summary.contains("\(arrow)</span>"))
            #expect(summary.components(separatedBy: "class=\"arrow").count - 1 == 2)  // the channel and its centre's total
        } else {
            #expect(!summary.contains("▲</span>") && !summary.contains("▼</span>"))
        }
        // The change itself is always shown, and the page says what the arrow means.
        #expect(summary.contains(String(format: "%+.1f", Double(current - previous))))
        #expect(summary.contains("only where the change in the share of ratings 4–5 against the previous quarter is significant at 95%"))
    }

    @Test(.enabled(if: chromiumPath != nil, "needs Debian's chromium (.ci/run installs it)"))
    func chromiumDrawsThePageRightToLeftWithoutAnyRequest() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let html = HTMLReport.render(smallSnapshot())
        let page = try temp.file("report.html", html)
        let (dom, requested) = try chromiumRequests(page, in: temp)
        #expect(dom.contains("dir=\"rtl\""))
        #expect(dom.contains("مركز المحرق") && dom.contains("الخلاصة"))
        #expect(dom.components(separatedBy: "<svg class=\"bar\"").count - 1 == 8)
        #expect(dom.components(separatedBy: "<rect class=\"s").count - 1 >= 8)
        #expect(dom.contains("<polyline class=\"series\""))
        // The browser's own record of the network: the page asked for nothing beyond its own file.
        #expect(requested.isEmpty, "the page asked for \(requested)")
        // The check sees a request when there is one: the same page with one image from outside.
        let leaky = try temp.file("leaky.html", html.replacingOccurrences(of: "<main>", with: "<main><img src=\"https://example.com/x.png\">"))
        #expect(try chromiumRequests(leaky, in: temp).requested == ["example.com"])
        // A screenshot: the page is drawn, with ink on it.
        let shot = temp.folder.appendingPathComponent("report.png").path
        _ = try chromium(["--screenshot=\(shot)", "--window-size=900,1400", "file://\(page)"], in: temp)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000)
    }

    @Test(.enabled(if: chromiumPath != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdfinfo"), "needs chromium and poppler-utils"))
    func printsOnA4() throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let page = try temp.file("report.html", HTMLReport.render(smallSnapshot()))
        let pdf = temp.folder.appendingPathComponent("report.pdf").path
        _ = try chromium(["--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(page)"], in: temp)
        let info = Process()
        info.executableURL = URL(fileURLWithPath: "/usr/bin/pdfinfo")
        info.arguments = [pdf]
        let out = Pipe()
        info.standardOutput = out
        try info.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        info.waitUntilExit()
        #expect(text.contains("(A4)"), "A4 is 595 × 842 points: \(text)")
    }

    func section(_ id: String, of html: String) -> String? {
        guard let start = html.range(of: "<section id=\"\(id)\">") else { return nil }
        let rest = html[start.lowerBound...]
        guard let end = rest.range(of: "</section>") else { return nil }
        return String(rest[..<end.upperBound])
    }
}

/// Opens `page` in headless chromium with every host name unresolvable, and returns the DOM it built and the hosts
/// the page asked for, from chromium's network log. Chromium's own services (updates, accounts, time) are left out:
/// they are the browser's, not the page's.
func chromiumRequests(_ page: String, in temp: TemporaryDatabase) throws -> (dom: String, requested: [String]) {
    let log = temp.folder.appendingPathComponent("netlog-\(UUID().uuidString).json").path
    let dom = try chromium(["--dump-dom", "--log-net-log=\(log)", "--host-resolver-rules=MAP * ~NOTFOUND", "file://\(page)"], in: temp)
    let text = try String(contentsOfFile: log, encoding: .utf8)
    let own = ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"]
    var hosts = Set<String>()
    for match in text.matches(of: /"url":"https?:\/\/([^\/":?]+)/) {
        let host = String(match.1)
        if !own.contains(where: { host == $0 || host.hasSuffix("." + $0) }) { hosts.insert(host) }
    }
    return (dom, hosts.sorted())
}

/// Runs headless chromium with `arguments`; returns its standard output.
func chromium(_ arguments: [String], in temp: TemporaryDatabase) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromiumPath!)
    process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                         "--user-data-dir=\(temp.folder.path)/chromium"] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Submitted text as a kiosk key in the wrong hands would send it: markup behind each Unicode "prepend" character,
/// which Swift joins with the `<` into one Character.
@Suite struct HostileTextTests {
    static let prepends: [Unicode.Scalar] = [
        "\u{0600}", "\u{0601}", "\u{0602}", "\u{0603}", "\u{0604}", "\u{0605}", "\u{06DD}", "\u{070F}",
        "\u{0890}", "\u{0891}", "\u{08E2}", "\u{110BD}", "\u{110CD}",
    ]

    static func payload(_ p: Unicode.Scalar) -> String {
        "\(p)<img src=x onerror=alert(1)//\(p)>\(p)<meta http-equiv=refresh content=0;url=/x>\(p)<style>*{}</style>\(p)\" \(p)'"
    }

    /// Whether `needle` occurs in `text` byte for byte (String.contains compares Characters, which is the bug itself).
    static func containsBytes(_ text: String, _ needle: String) -> Bool {
        let haystack = Array(text.utf8), pattern = Array(needle.utf8)
        guard pattern.count <= haystack.count else { return false }
        return (0...(haystack.count - pattern.count)).contains { haystack[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    func hostileSnapshot() -> ReportSnapshot {
        let base = smallSnapshot()
        let names = Self.prepends.map(Self.payload)
        var counts: [String: Counts] = [:]
        for name in names { counts[name] = uniformCounts(12, rating: 4) }
        let services = Breakdown(dimension: .service, centre: "C01", quarter: fixtureQuarter, counts: counts, policy: ThresholdPolicy())
        let entries = names.map {
            CommentEntry(centre: "C01", channel: "kiosk", day: "2026-03-01", service: $0, ratingSum: 8, ratingCount: 4, text: $0)
        }
        let comments = CommentDigest(counts: [ChannelCommentCount(channel: "kiosk", comments: entries.count, lowRated: entries.count)],
                                     entries: entries, limit: CommentDigest.defaultLimit)
        let subject = ReportSubject(kind: .centre, id: "C01", name: LocalizedText(ar: names[0], en: names[1]),
                                    centres: [Centre(id: "C01", entity: "E01", nameAr: names[2], nameEn: names[3], kind: .headquarters, channels: ["kiosk"])])
        return ReportSnapshot(engineVersion: "test", takenAt: base.takenAt, subject: subject, channels: .standard, report: base.report,
                              trend: base.trend, services: [services], counters: base.counters, comments: comments)
    }

    @Test(arguments: [Language.ar, .en], ReportAudience.allCases)
    func escapesMarkupBehindPrependCharacters(language: Language, audience: ReportAudience) {
        let html = HTMLReport.render(hostileSnapshot(), language: language, audience: audience)
        for injected in ["<img", "<meta http-equiv", "<style>*", "onerror=alert(1)//\u{0600}>"] {
            #expect(!Self.containsBytes(html, injected), "\(injected) reached the page")
        }
        #expect(Self.containsBytes(html, "\u{0600}&lt;img src=x onerror=alert(1)//\u{0600}&gt;"))
        if audience == .quality {
            // Every prepend character's payload reached the comments, escaped.
            for p in Self.prepends { #expect(Self.containsBytes(html, "\(p)&lt;meta http-equiv=refresh")) }
        }
    }
}
