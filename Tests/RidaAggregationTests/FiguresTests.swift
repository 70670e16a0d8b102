import Testing
import RidaSurvey
@testable import RidaAggregation

/// Counts from a list of responses' ratings, as the store's rollups would hold them.
func counts(_ ratings: [[Int?]], stages: [Stage?] = []) -> Counts {
    var counts = Counts()
    for (i, r) in ratings.enumerated() {
        counts.add(SurveyResponse(id: "r\(i)", centre: "C01", channel: "counter", submittedAt: Instant(millisecondsSince1970: 0),
                                  stage: i < stages.count ? stages[i] : nil, ratings: r))
    }
    return counts
}

let q1 = Quarter(year: 2026, number: 1)

@Suite struct FiguresTests {
    /// Five responses, worked by hand:
    ///   q1: 5 5 4 3 2   → answers 5, sum 19, mean 3.8, counts [0,1,1,1,2]
    ///   q2: 4 4 4 4 -   → answers 4, sum 16, mean 4.0, counts [0,0,0,4,0]
    ///   q3: 1 2 - - -   → answers 2, sum 3,  mean 1.5, counts [1,1,0,0,0]
    ///   q4: - - - - -   → answers 0
    /// ratings 11, sum 19 + 16 + 3 = 38, mean 38/11.
    /// ≥3: q1 has 5,5,4,3 = 4, q2 has 4, q3 has 0 → 8/11. ≥4: q1 has 5,5,4 = 3, q2 has 4, q3 has 0 → 7/11.
    let fixture = counts([[5, 4, 1, nil], [5, 4, 2, nil], [4, 4, nil, nil], [3, 4, nil, nil], [2, nil, nil, nil]])

    @Test func computesTheFiguresOfASmallFixtureByHand() throws {
        let f = Figures(centre: "C01", channel: "counter", quarter: q1, counts: fixture, previous: nil, policy: ThresholdPolicy())
        #expect(f.responses == 5)
        #expect(f.ratings == 11)
        #expect(f.mean == 38.0 / 11.0)
        #expect(f.questions["q1"] == QuestionFigures(answers: 5, mean: 3.8, counts: [0, 1, 1, 1, 2]))
        #expect(f.questions["q2"] == QuestionFigures(answers: 4, mean: 4.0, counts: [0, 0, 0, 4, 0]))
        #expect(f.questions["q3"] == QuestionFigures(answers: 2, mean: 1.5, counts: [1, 1, 0, 0, 0]))
        #expect(f.questions["q4"] == QuestionFigures(answers: 0, mean: nil, counts: [0, 0, 0, 0, 0]))
        #expect(f.share3 == 8.0 / 11.0)
        #expect(f.share4 == 7.0 / 11.0)
        // Questions reading: rated questions q1, q2, q3; means 3.8, 4.0, 1.5 → ≥3: 2 of 3, ≥4: 1 of 3.
        #expect(f.questionShare3 == 2.0 / 3.0)
        #expect(f.questionShare4 == 1.0 / 3.0)
        // Ratings reading: 5·8 = 40 < 44 = 4·11, so not met; 38 < 44, mean under 4.
        #expect(f.thresholds == Thresholds(atLeast3In80Percent: false, atLeast4In80Percent: false, meanAtLeast4: false))
        #expect(!f.sufficient)
        #expect(f.confidence.atLeast3In80Percent == .tooFewResponses)
        #expect(f.change == nil)
    }

    @Test func decidesTheQuestionsReadingOnQuestionMeans() {
        let f = Figures(centre: "C01", channel: nil, quarter: q1, counts: fixture, previous: nil,
                        policy: ThresholdPolicy(reading: .questions))
        // 2 of 3 questions ≥ 3: 5·2 = 10 < 12 → not met.
        #expect(f.thresholds.atLeast3In80Percent == false)
        // All four rated with means ≥ 3 → met; three of four is 75% → not met.
        let all = counts([[3, 3, 3, 3]])
        let fAll = Figures(centre: "C01", channel: nil, quarter: q1, counts: all, previous: nil, policy: ThresholdPolicy(reading: .questions))
        #expect(fAll.thresholds.atLeast3In80Percent == true)
        let three = counts([[3, 3, 3, 2]])
        let fThree = Figures(centre: "C01", channel: nil, quarter: q1, counts: three, previous: nil, policy: ThresholdPolicy(reading: .questions))
        #expect(fThree.thresholds.atLeast3In80Percent == false)
    }

    /// 80% exactly meets the threshold; one rating less does not. Decided on counts: 5·k ≥ 4·n.
    @Test(arguments: [(8, 10, true), (7, 10, false), (4, 5, true), (3, 5, false), (80, 100, true), (79, 100, false),
                      (800_000, 1_000_000, true), (799_999, 1_000_000, false)])
    func decidesEightyPercentExactly(high: Int, total: Int, met: Bool) {
        var c = Counts()
        c.responses = total
        c.scores[0] = [total - high, 0, 0, high, 0]  // high ratings are 4s, the rest 1s
        let f = Figures(centre: "C01", channel: nil, quarter: q1, counts: c, previous: nil, policy: ThresholdPolicy())
        #expect(f.thresholds.atLeast3In80Percent == met)
        #expect(f.thresholds.atLeast4In80Percent == met)
    }

    @Test func decidesMeanAtLeastFourOnTheSum() {
        // 4,4,4,4 → exactly 4: met. 4,4,4,3 → 3.75: not met.
        let exact = Figures(centre: "C", channel: nil, quarter: q1, counts: counts([[4, 4, 4, 4]]), previous: nil, policy: ThresholdPolicy())
        #expect(exact.thresholds.meanAtLeast4 == true)
        let under = Figures(centre: "C", channel: nil, quarter: q1, counts: counts([[4, 4, 4, 3]]), previous: nil, policy: ThresholdPolicy())
        #expect(under.thresholds.meanAtLeast4 == false)
    }

    @Test func leavesThresholdsUndecidedWithoutRatings() {
        let f = Figures(centre: "C", channel: nil, quarter: q1, counts: Counts(), previous: nil, policy: ThresholdPolicy())
        #expect(f.mean == nil)
        #expect(f.thresholds == Thresholds(atLeast3In80Percent: nil, atLeast4In80Percent: nil, meanAtLeast4: nil))
        #expect(f.share3Interval == nil)
    }

    @Test func isSufficientFromTheMinimumSample() {
        let twentyNine = counts(Array(repeating: [5, 5, 5, 5], count: 29))
        let thirty = counts(Array(repeating: [5, 5, 5, 5], count: 30))
        let policy = ThresholdPolicy()
        #expect(!Figures(centre: "C", channel: nil, quarter: q1, counts: twentyNine, previous: nil, policy: policy).sufficient)
        let enough = Figures(centre: "C", channel: nil, quarter: q1, counts: thirty, previous: nil, policy: policy)
        #expect(enough.sufficient)
        #expect(enough.confidence.atLeast4In80Percent == .met)
    }

    @Test func callsAVerdictInconclusiveWhenTheIntervalStraddlesTheThreshold() {
        // 32 of 40 ratings ≥ 4 (80% exactly): met on counts, but the interval straddles 0.8.
        let c = counts(Array(repeating: [4, nil, nil, nil], count: 32) + Array(repeating: [2, nil, nil, nil], count: 8))
        let f = Figures(centre: "C", channel: nil, quarter: q1, counts: c, previous: nil, policy: ThresholdPolicy())
        #expect(f.thresholds.atLeast4In80Percent == true)
        #expect(f.confidence.atLeast4In80Percent == .inconclusive)
        // 32 of 40 ≥ 3 as well (the 2s are below 3): the same straddle.
        #expect(f.confidence.atLeast3In80Percent == .inconclusive)
        // 40 of 40 ≥ 4: the interval (0.912, 1) lies above 0.8, so the verdict is sure.
        let all = Figures(centre: "C", channel: nil, quarter: q1, counts: counts(Array(repeating: [4, nil, nil, nil], count: 40)),
                          previous: nil, policy: ThresholdPolicy())
        #expect(all.confidence.atLeast4In80Percent == .met)
        // 20 of 40 ≥ 4: the interval (0.352, 0.648) lies below 0.8.
        let half = Figures(centre: "C", channel: nil, quarter: q1,
                           counts: counts(Array(repeating: [4, nil, nil, nil], count: 20) + Array(repeating: [1, nil, nil, nil], count: 20)),
                           previous: nil, policy: ThresholdPolicy())
        #expect(half.confidence.atLeast4In80Percent == .notMet)
    }

    @Test func countsStages() {
        let c = counts([[5, nil, nil, nil], [4, nil, nil, nil], [4, nil, nil, nil], [3, nil, nil, nil]], stages: [.before, .during, .after, nil])
        let f = Figures(centre: "C", channel: nil, quarter: q1, counts: c, previous: nil, policy: ThresholdPolicy())
        #expect(f.stages == StageCounts(before: 1, during: 1, after: 1))
    }

    @Test func comparesWithThePreviousQuarter() throws {
        // Now: 4,4 → mean 4, share4 1. Before: 5,3 → mean 4, share4 1/2.
        let now = counts([[4, 4, nil, nil]])
        let before = counts([[5, 3, nil, nil]])
        let f = Figures(centre: "C", channel: nil, quarter: q1, counts: now, previous: before, policy: ThresholdPolicy())
        let change = try #require(f.change)
        #expect(change.previousQuarter == Quarter(year: 2025, number: 4))
        #expect(change.previousResponses == 1)
        #expect(change.mean == 0)
        #expect(change.share4 == 0.5)
        #expect(change.share3 == 0)
    }
}

@Suite struct StatisticsTests {
    /// Wilson 95% interval of 8/10, by hand: z² = 3.841459, centre = (0.8 + z²/20) / (1 + z²/10) = 0.716740,
    /// half = z / (1 + z²/10) · √(0.8·0.2/10 + z²/400) = 0.226578 → (0.490162, 0.943318).
    @Test func computesTheWilsonInterval() throws {
        let interval = try #require(wilsonInterval(successes: 8, trials: 10))
        #expect(abs(interval.low - 0.490162) < 1e-6)
        #expect(abs(interval.high - 0.943318) < 1e-6)
    }

    @Test func keepsTheWilsonIntervalInsideZeroAndOne() throws {
        let all = try #require(wilsonInterval(successes: 10, trials: 10))
        #expect(abs(all.high - 1) < 1e-12)
        #expect(abs(all.low - 0.722467) < 1e-6)  // n / (n + z²) = 10 / 13.841459
        let none = try #require(wilsonInterval(successes: 0, trials: 10))
        #expect(none.low == 0)
        #expect(wilsonInterval(successes: 0, trials: 0) == nil)
    }

    /// Two-proportion z: 60/100 against 45/100. Pooled p = 0.525; SE = √(0.525·0.475·0.02) = 0.070623;
    /// z = 0.15 / 0.070622 = 2.123977 → significant. 55/100 against 45/100: z = 1.414214 → not.
    @Test func testsTheChangeOfTwoProportions() throws {
        let big = try #require(ProportionTest(x1: 60, n1: 100, x2: 45, n2: 100))
        #expect(abs(big.z - 2.123977) < 1e-6)
        #expect(big.significant)
        let small = try #require(ProportionTest(x1: 55, n1: 100, x2: 45, n2: 100))
        #expect(abs(small.z - 1.414214) < 1e-6)
        #expect(!small.significant)
        #expect(ProportionTest(x1: 1, n1: 0, x2: 1, n2: 1) == nil)
    }
}

@Suite struct QuarterlyReportTests {
    @Test func rollsUpEachCentreOverItsChannels() throws {
        let a = GroupKey(centre: "C01", channel: "counter")
        let b = GroupKey(centre: "C01", channel: "kiosk")
        let c = GroupKey(centre: "C02", channel: "counter")
        let current = [a: counts([[5, 5, 5, 5], [4, 4, 4, 4]]), b: counts([[1, 2, 3, nil]]), c: counts([[3, 3, 3, 3]])]
        let report = QuarterlyReport(scope: ReportScope(quarter: q1), zone: .bahrain, policy: ThresholdPolicy(), channels: .standard,
                                     current: current, previous: [:])
        #expect(report.groups.map { "\($0.centre)/\($0.channel ?? "")" } == ["C01/counter", "C01/kiosk", "C02/counter"])
        let c01 = try #require(report.centres.first { $0.centre == "C01" })
        // C01: 3 responses, 11 ratings, sum 20 + 16 + 6 = 42.
        #expect(c01.responses == 3)
        #expect(c01.ratings == 11)
        #expect(c01.mean == 42.0 / 11.0)
        #expect(c01.channel == nil)
    }

    @Test func keepsOnlyTheScope() {
        let a = GroupKey(centre: "C01", channel: "counter")
        let b = GroupKey(centre: "C02", channel: "kiosk")
        let current = [a: counts([[5, 5, 5, 5]]), b: counts([[1, 1, 1, 1]])]
        let report = QuarterlyReport(scope: ReportScope(quarter: q1, channel: "kiosk"), zone: .bahrain, policy: ThresholdPolicy(),
                                     channels: .standard, current: current, previous: [:])
        #expect(report.groups.map(\.centre) == ["C02"])
        #expect(report.centres.map(\.centre) == ["C02"])
    }
}
