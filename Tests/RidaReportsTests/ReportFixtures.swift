import Foundation
import RidaAggregation
import RidaAssessment
import RidaSurvey
import RidaTesting
@testable import RidaReports

/// Counts of `n` responses that each rate q1 only, `high` of them 5 and the rest 1.
func q1Counts(_ n: Int, fives high: Int) -> Counts {
    var counts = Counts()
    counts.responses = n
    counts.scores[0] = [n - high, 0, 0, 0, high]
    return counts
}

/// Counts of `n` responses rating every question `rating`.
func uniformCounts(_ n: Int, rating: Int) -> Counts {
    var counts = Counts()
    counts.responses = n
    for q in 0..<4 { counts.scores[q][rating - 1] = n }
    return counts
}

let fixtureQuarter = Quarter(year: 2026, number: 1)

/// A hand-made snapshot of C01 in 2026-Q1: the small report's figures, two quarters of trend, services
/// (one small cell, so a second is suppressed with it), counters (two small cells) and three comments.
func smallSnapshot() -> ReportSnapshot {
    let report = smallReport()
    let kiosk = GroupKey(centre: "C01", channel: "kiosk")
    let counter = GroupKey(centre: "C01", channel: "counter")
    let trendCounts: [Quarter: [GroupKey: Counts]] = [
        fixtureQuarter: [kiosk: uniformCounts(40, rating: 5), counter: uniformCounts(35, rating: 4)],
        fixtureQuarter.previous: [kiosk: uniformCounts(30, rating: 3)],
    ]
    let scope = ReportScope(quarter: fixtureQuarter, centre: "C01")
    let trend = TrendSeries.build(quarters: fixtureQuarter.trailing(ReportSnapshot.trendQuarters), counts: trendCounts, scope: scope,
                                  label: "C01", channels: .standard, policy: ThresholdPolicy())
    let services = Breakdown(dimension: .service, centre: "C01", quarter: fixtureQuarter, counts: [
        "تجديد جواز السفر": uniformCounts(15, rating: 5), "Smart card renewal": uniformCounts(12, rating: 4),
        "شهادة ميلاد": uniformCounts(3, rating: 2),
    ], policy: ThresholdPolicy())
    let counters = Breakdown(dimension: .counter, centre: "C01", quarter: fixtureQuarter, counts: [
        "1": uniformCounts(20, rating: 5), "2": uniformCounts(11, rating: 3), "3": uniformCounts(10, rating: 4),
        "4": uniformCounts(9, rating: 1), "5": uniformCounts(4, rating: 2),
    ], policy: ThresholdPolicy())
    let comments = CommentDigest(
        counts: [ChannelCommentCount(channel: "counter", comments: 2, lowRated: 1), ChannelCommentCount(channel: "kiosk", comments: 1, lowRated: 0)],
        entries: [
            CommentEntry(centre: "C01", channel: "counter", day: "2026-02-03", service: "تجديد جواز السفر", ratingSum: 5, ratingCount: 4,
                         text: "الانتظار طويل جداً <script>alert(1)</script>"),
            CommentEntry(centre: "C01", channel: "kiosk", day: "2026-03-01", service: nil, ratingSum: 18, ratingCount: 4, text: "The kiosk was quick & clear"),
            CommentEntry(centre: "C01", channel: "counter", day: "2026-01-15", service: nil, ratingSum: 20, ratingCount: 4, text: "شكراً للموظف"),
        ],
        limit: CommentDigest.defaultLimit)
    let subject = ReportSubject(kind: .centre, id: "C01", name: LocalizedText(ar: "مركز المحرق", en: "Muharraq centre"),
                                centres: [Centre(id: "C01", entity: "E01", nameAr: "مركز المحرق", nameEn: "Muharraq centre",
                                                 kind: .headquarters, channels: ["counter", "kiosk"])])
    return ReportSnapshot(engineVersion: "test", takenAt: instant("2026-04-02T09:00:00+03:00"), subject: subject, channels: .standard,
                          report: report, trend: trend, services: [services], counters: [counters], comments: comments)
}

/// A snapshot whose only group changed from `previous` to `current` ratings of 5 (out of 100 each): for the arrow.
func changeSnapshot(current: Int, previous: Int) -> ReportSnapshot {
    let key = GroupKey(centre: "C01", channel: "counter")
    let report = QuarterlyReport(scope: ReportScope(quarter: fixtureQuarter, centre: "C01"), zone: .bahrain, policy: ThresholdPolicy(),
                                 channels: .standard, current: [key: q1Counts(100, fives: current)], previous: [key: q1Counts(100, fives: previous)])
    return ReportSnapshot(engineVersion: "test", takenAt: instant("2026-04-02T09:00:00+03:00"), subject: ReportSubject(kind: .centre, id: "C01"),
                          channels: .standard, report: report, trend: [], services: [], counters: [], comments: .empty)
}
