import RidaSurvey

/// How "at least k in 80% of the questions" is read (guide-notes, decision 2).
public enum Reading: String, Codable, Sendable, CaseIterable {
    /// At least 80% of all ratings given to q1 to q4 are k or more. The default.
    case ratings
    /// At least 80% of the rated questions have a mean of k or more.
    case questions
}

/// The settings a verdict depends on.
public struct ThresholdPolicy: Sendable, Hashable, Codable {
    public var reading: Reading
    /// Fewer responses than this make a group's figures insufficient to decide on.
    public var minimumResponses: Int

    public init(reading: Reading = .ratings, minimumResponses: Int = 30) {
        self.reading = reading
        self.minimumResponses = minimumResponses
    }
}

/// How sure a threshold's verdict is.
public enum Confidence: String, Codable, Sendable {
    /// Met, and the 95% interval lies wholly on the met side.
    case met
    /// Not met, and the 95% interval lies wholly on the other side.
    case notMet
    /// The 95% interval straddles the threshold: the data cannot tell yet.
    case inconclusive
    /// Fewer responses than the minimum sample.
    case tooFewResponses
}

/// The guide's three thresholds, decided exactly on counts. Nil where nothing was rated.
public struct Thresholds: Sendable, Hashable, Codable {
    /// "At least 3 in 80%" (framework 1, 2.3.2).
    public var atLeast3In80Percent: Bool?
    /// "At least 4 in 80%" (framework 1, 2.3.3).
    public var atLeast4In80Percent: Bool?
    /// "At least 4 of 5": the mean of all ratings (framework 2, 3.2.5; decision 3, whatever the reading).
    public var meanAtLeast4: Bool?
}

/// The confidence of each threshold's verdict.
public struct ThresholdConfidence: Sendable, Hashable, Codable {
    public var atLeast3In80Percent: Confidence
    public var atLeast4In80Percent: Confidence
    public var meanAtLeast4: Confidence
}

/// One rated question's figures.
public struct QuestionFigures: Sendable, Hashable, Codable {
    public var answers: Int
    public var mean: Double?
    /// How many answers gave each score, score 1 first.
    public var counts: [Int]
}

/// Responses by the stage of the service they were given at (appendix 2).
public struct StageCounts: Sendable, Hashable, Codable {
    public var before: Int
    public var during: Int
    public var after: Int
}

/// The change of a group's figures against the previous quarter.
public struct Change: Sendable, Hashable, Codable {
    public var previousQuarter: Quarter
    public var previousResponses: Int
    /// This quarter's mean less the previous one's.
    public var mean: Double?
    public var share3: Double?
    public var share4: Double?
    /// Two-proportion z test of the share of ratings ≥ 3 against the previous quarter.
    public var share3Test: ProportionTest?
    /// Two-proportion z test of the share of ratings ≥ 4 against the previous quarter.
    public var share4Test: ProportionTest?
}

/// Every figure of one group (centre × channel × quarter) or of a centre's roll-up (no channel).
public struct Figures: Sendable, Hashable, Codable {
    public var centre: String
    /// Nil for a centre's roll-up over its channels.
    public var channel: String?
    public var quarter: Quarter
    public var responses: Int
    /// Non-empty answers to q1 to q4.
    public var ratings: Int
    /// The mean of all ratings.
    public var mean: Double?
    /// By question id, q1 to q4.
    public var questions: [String: QuestionFigures]
    /// Ratings reading: the share of ratings ≥ 3.
    public var share3: Double?
    public var share3Interval: Interval?
    /// Ratings reading: the share of ratings ≥ 4.
    public var share4: Double?
    public var share4Interval: Interval?
    /// Questions reading: the share of rated questions whose mean is ≥ 3.
    public var questionShare3: Double?
    /// Questions reading: the share of rated questions whose mean is ≥ 4.
    public var questionShare4: Double?
    /// The 95% interval of the mean (normal approximation from the score counts).
    public var meanInterval: Interval?
    /// Decided under the configured reading.
    public var thresholds: Thresholds
    public var confidence: ThresholdConfidence
    /// Whether `responses` reaches the minimum sample.
    public var sufficient: Bool
    public var stages: StageCounts
    /// Against the previous quarter; nil when the previous quarter had no responses.
    public var change: Change?

    /// Computes every figure from `counts`, and the change from `previous` counts when given.
    public init(
        centre: String, channel: String?, quarter: Quarter, counts: Counts,
        previous: Counts?, policy: ThresholdPolicy
    ) {
        self.centre = centre
        self.channel = channel
        self.quarter = quarter
        responses = counts.responses
        ratings = counts.ratings
        let n = ratings
        let sum = counts.scoreSum
        mean = n > 0 ? Double(sum) / Double(n) : nil

        var questions: [String: QuestionFigures] = [:]
        var rated = 0
        var ratedAtLeast3 = 0
        var ratedAtLeast4 = 0
        for index in counts.scores.indices {
            let answers = counts.answers(index)
            let questionSum = counts.scores[index].enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
            questions["q\(index + 1)"] = QuestionFigures(
                answers: answers,
                mean: answers > 0 ? Double(questionSum) / Double(answers) : nil,
                counts: counts.scores[index]
            )
            if answers > 0 {
                rated += 1
                if questionSum >= 3 * answers { ratedAtLeast3 += 1 }
                if questionSum >= 4 * answers { ratedAtLeast4 += 1 }
            }
        }
        self.questions = questions

        let atLeast3 = counts.ratings(atLeast: 3)
        let atLeast4 = counts.ratings(atLeast: 4)
        share3 = n > 0 ? Double(atLeast3) / Double(n) : nil
        share4 = n > 0 ? Double(atLeast4) / Double(n) : nil
        share3Interval = wilsonInterval(successes: atLeast3, trials: n)
        share4Interval = wilsonInterval(successes: atLeast4, trials: n)
        questionShare3 = rated > 0 ? Double(ratedAtLeast3) / Double(rated) : nil
        questionShare4 = rated > 0 ? Double(ratedAtLeast4) / Double(rated) : nil

        if n > 1 {
            let squares = counts.scores.reduce(0) { total, row in
                total + row.enumerated().reduce(0) { $0 + ($1.offset + 1) * ($1.offset + 1) * $1.element }
            }
            let m = Double(sum) / Double(n)
            let variance = max(0, (Double(squares) - Double(n) * m * m) / Double(n - 1))
            let half = z95 * (variance / Double(n)).squareRoot()
            meanInterval = Interval(low: m - half, high: m + half)
        } else {
            meanInterval = nil
        }

        // Exact decisions on counts: 5·k ≥ 4·n is "at least 80%", with no rounding anywhere.
        let meets3: Bool?
        let meets4: Bool?
        switch policy.reading {
        case .ratings:
            meets3 = n > 0 ? 5 * atLeast3 >= 4 * n : nil
            meets4 = n > 0 ? 5 * atLeast4 >= 4 * n : nil
        case .questions:
            meets3 = rated > 0 ? 5 * ratedAtLeast3 >= 4 * rated : nil
            meets4 = rated > 0 ? 5 * ratedAtLeast4 >= 4 * rated : nil
        }
        let meetsMean: Bool? = n > 0 ? sum >= 4 * n : nil
        thresholds = Thresholds(atLeast3In80Percent: meets3, atLeast4In80Percent: meets4, meanAtLeast4: meetsMean)

        sufficient = counts.responses >= policy.minimumResponses
        let enough = sufficient && n > 0
        func judge(_ met: Bool?, _ interval: Interval?, _ threshold: Double) -> Confidence {
            guard enough, let met else { return .tooFewResponses }
            if let interval, interval.straddles(threshold) { return .inconclusive }
            return met ? .met : .notMet
        }
        let shareIntervals = policy.reading == .ratings
        confidence = ThresholdConfidence(
            atLeast3In80Percent: judge(meets3, shareIntervals ? share3Interval : nil, 0.8),
            atLeast4In80Percent: judge(meets4, shareIntervals ? share4Interval : nil, 0.8),
            meanAtLeast4: judge(meetsMean, meanInterval, 4)
        )
        stages = StageCounts(before: counts.stages[0], during: counts.stages[1], after: counts.stages[2])

        if let previous, previous.responses > 0 {
            let pn = previous.ratings
            let p3 = previous.ratings(atLeast: 3)
            let p4 = previous.ratings(atLeast: 4)
            let previousMean = pn > 0 ? Double(previous.scoreSum) / Double(pn) : nil
            change = Change(
                previousQuarter: quarter.previous,
                previousResponses: previous.responses,
                mean: mean.flatMap { m in previousMean.map { m - $0 } },
                share3: share3.flatMap { s in pn > 0 ? s - Double(p3) / Double(pn) : nil },
                share4: share4.flatMap { s in pn > 0 ? s - Double(p4) / Double(pn) : nil },
                share3Test: ProportionTest(x1: atLeast3, n1: n, x2: p3, n2: pn),
                share4Test: ProportionTest(x1: atLeast4, n1: n, x2: p4, n2: pn)
            )
        } else {
            change = nil
        }
    }
}
