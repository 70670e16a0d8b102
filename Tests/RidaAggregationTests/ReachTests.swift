import RidaSurvey
import Testing
@testable import RidaAggregation

/// Response rates from counts only, rounded once to a tenth of a percent, half up, with integers.
@Suite struct ReachTests {
    @Test(arguments: [
        (412, 5_130, "8.0"),   // 8.031…%
        (7, 40, "17.5"),       // exactly 17.5%
        (0, 75, "0.0"),
        (1, 16, "6.3"),        // 6.25%: half up
        (2, 7, "28.6"),        // 28.571…%
        (4, 30, "13.3"),       // 13.333…%
        (30, 30, "100.0"),
        (45, 40, "112.5"),     // more responses than customers counted: shown as it is
    ])
    func aRateIsExactFromItsCounts(_ part: Int, _ whole: Int, _ shown: String) {
        #expect(Rate(part: part, whole: whole).percentText == shown)
    }

    @Test func theRateNeedsCustomersServedAndTheInvitationRateBothCounts() {
        #expect(ChannelReach(centre: "C01", channel: "counter", responses: 7, customersServed: 40).responseRate == Rate(part: 7, whole: 40))
        #expect(ChannelReach(centre: "C01", channel: "counter", responses: 7).responseRate == nil)
        #expect(ChannelReach(centre: "C01", channel: "counter", responses: 0, customersServed: 0).responseRate == nil)
        #expect(ChannelReach(centre: "C01", channel: "counter", responses: 7, invitationsSent: 50, invitationsAnswered: 5).invitationRate
                == Rate(part: 5, whole: 50))
        #expect(ChannelReach(centre: "C01", channel: "counter", responses: 7, invitationsSent: 0, invitationsAnswered: 0).invitationRate == nil)
    }

    /// C01's counter: 7 responses (groups) and 40 served → 17.5%; its website: served 12, no response → 0 of 12; C02's
    /// kiosk is outside a C01 report; a count of 2026-Q2 is not this quarter's.
    @Test func noteReachTakesTheResponsesOfTheReportsOwnGroups() {
        var responses = Counts()
        for i in 0..<7 {
            responses.add(SurveyResponse(id: "r\(i)", centre: "C01", channel: "counter", submittedAt: Instant(millisecondsSince1970: 0),
                                         ratings: [5, 4, 4, 5]))
        }
        let scope = ReportScope(quarter: q1, centre: "C01")
        var report = QuarterlyReport(scope: scope, zone: .bahrain, policy: ThresholdPolicy(), channels: .standard,
                                     current: [GroupKey(centre: "C01", channel: "counter"): responses], previous: [:])
        report.noteReach(served: [
            ServedCount(centre: "C01", channel: "website", quarter: q1, customers: 12),
            ServedCount(centre: "C01", channel: "counter", quarter: q1, customers: 40),
            ServedCount(centre: "C02", channel: "kiosk", quarter: q1, customers: 9),
            ServedCount(centre: "C01", channel: "counter", quarter: q1.next, customers: 99),
        ], scope: scope)
        #expect(report.reach == [
            ChannelReach(centre: "C01", channel: "counter", responses: 7, customersServed: 40),
            ChannelReach(centre: "C01", channel: "website", responses: 0, customersServed: 12),
        ])
        #expect(report.reach?.first?.responseRate?.percentText == "17.5")
        report.noteReach(served: [], scope: scope)
        #expect(report.reach == nil)
    }
}
