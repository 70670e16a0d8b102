import RidaAggregation
import RidaSurvey
import Testing

@Suite struct BreakdownAndTrendTests {
    let quarter = Quarter(year: 2026, number: 1)

    func counts(_ n: Int, rating: Int = 5) -> Counts {
        var counts = Counts()
        counts.responses = n
        counts.scores[0][rating - 1] = n
        return counts
    }

    @Test func showsCellsOfTenAndMoreAndHidesSmallerOnes() {
        let breakdown = Breakdown(dimension: .counter, centre: "C01", quarter: quarter,
                                  counts: ["1": counts(10), "2": counts(9), "3": counts(30), "4": counts(1)], policy: ThresholdPolicy())
        // Two small cells hide each other: nothing more to hide. Shown by responses, most first.
        #expect(breakdown.rows.map(\.value) == ["3", "1", "2", "4"])
        #expect(breakdown.rows.map(\.suppressed) == [false, false, true, true])
        #expect(breakdown.rows[1].figures?.responses == 10)
        #expect(breakdown.suppressedCount == 2)
    }

    @Test func hidesTheSmallestOtherCellWhenOnlyOneIsSmall() {
        // Alone, cell "3" (4 responses) would be the centre's total less the others: the smallest shown cell goes too.
        let breakdown = Breakdown(dimension: .service, centre: "C01", quarter: quarter,
                                  counts: ["A": counts(40), "B": counts(12), "C": counts(4), "D": counts(0)], policy: ThresholdPolicy())
        #expect(breakdown.rows.map(\.value) == ["A", "B", "C"])
        #expect(breakdown.rows.map(\.suppressed) == [false, true, true])
        // One cell only, and small: hidden, nothing else to hide.
        let one = Breakdown(dimension: .service, centre: "C01", quarter: quarter, counts: ["A": counts(9)], policy: ThresholdPolicy())
        #expect(one.rows.map(\.suppressed) == [true])
    }

    @Test func aCellsFiguresAreTheFiguresOfItsCounts() {
        var c = Counts()
        c.responses = 12
        c.scores[0] = [0, 0, 2, 4, 6]
        let breakdown = Breakdown(dimension: .service, centre: "C01", quarter: quarter, counts: ["A": c], policy: ThresholdPolicy())
        let figures = breakdown.rows[0].figures
        // (2·3 + 4·4 + 6·5) / 12 = 52 / 12; ratings of 4–5: 10 of 12.
        #expect(figures?.mean == 52.0 / 12.0)
        #expect(figures?.share4 == 10.0 / 12.0)
        #expect(figures == Figures(centre: "C01", channel: nil, quarter: quarter, counts: c, previous: nil, policy: ThresholdPolicy()))
    }

    @Test func trendsRunOverTheQuartersWithEachPointsChange() throws {
        let kiosk = GroupKey(centre: "C01", channel: "kiosk")
        let counter = GroupKey(centre: "C01", channel: "counter")
        let other = GroupKey(centre: "C02", channel: "counter")
        let quarters = quarter.trailing(8)
        let all: [Quarter: [GroupKey: Counts]] = [
            quarter: [kiosk: counts(100, rating: 5), counter: counts(10, rating: 4), other: counts(50, rating: 1)],
            quarter.previous: [kiosk: counts(100, rating: 3)],
            quarters[0].previous: [kiosk: counts(5, rating: 2)],
        ]
        let series = TrendSeries.build(quarters: quarters, counts: all, scope: ReportScope(quarter: quarter, centre: "C01"),
                                       label: "C01", channels: .standard, policy: ThresholdPolicy())
        // Catalogue order, then all channels; C02 is outside the scope.
        #expect(series.map(\.channel) == ["counter", "kiosk", nil])
        let k = series[1].points
        #expect(k.map(\.quarter) == quarters)
        #expect(k.last?.responses == 100 && k[6].responses == 100 && k[5].responses == 0 && k[5].mean == nil)
        // 100 of 100 at 4–5 against 0 of 100: z = 1 / √(0.5 · 0.5 · 0.02) = 14.1, significant.
        let test = try #require(k.last?.change?.share4Test)
        #expect(test.significant && abs(test.z - 14.142) < 0.001)
        // The first point's change is against the quarter before the eight, which the counts hold.
        #expect(k.first?.change?.previousResponses == 5)
        #expect(series[2].points.last?.responses == 110)
    }

    @Test func anEntitysScopeKeepsOnlyItsCentres() {
        let scope = ReportScope(quarter: quarter, entity: "E01", centres: ["C01", "C02"])
        #expect(scope.includes(GroupKey(centre: "C02", channel: "kiosk")))
        #expect(!scope.includes(GroupKey(centre: "C03", channel: "kiosk")))
        let report = QuarterlyReport(scope: scope, zone: .bahrain, policy: ThresholdPolicy(), channels: .standard,
                                     current: [GroupKey(centre: "C01", channel: "kiosk"): counts(3), GroupKey(centre: "C03", channel: "kiosk"): counts(3)],
                                     previous: [:])
        #expect(report.centres.map(\.centre) == ["C01"])
        #expect(report.entity == "E01")
    }
}
