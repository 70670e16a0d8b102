import RidaSurvey

/// The counts Rida keeps per group (centre × channel × quarter): everything a figure is computed from.
///
/// The store keeps these current as responses are stored, so a report never rescans responses.
public struct Counts: Sendable, Hashable, Codable {
    /// Responses stored.
    public var responses: Int
    /// Per rated question (q1 to q4), how many answers gave each score (score 1 first).
    public var scores: [[Int]]
    /// Responses by stage (appendix 2): before, during, after; responses without a stage are not counted here.
    public var stages: [Int]

    public init(responses: Int = 0, scores: [[Int]]? = nil, stages: [Int] = [0, 0, 0]) {
        self.responses = responses
        self.scores = scores ?? Array(repeating: [0, 0, 0, 0, 0], count: SurveyResponse.ratedQuestionCount)
        self.stages = stages
    }

    public static let zero = Counts()

    /// Adds one response.
    public mutating func add(_ response: SurveyResponse) {
        responses += 1
        for (question, rating) in response.ratings.enumerated() {
            if let rating { scores[question][rating - 1] += 1 }
        }
        switch response.stage {
        case .before: stages[0] += 1
        case .during: stages[1] += 1
        case .after: stages[2] += 1
        case nil: break
        }
    }

    /// Adds another group's counts (a roll-up).
    public mutating func add(_ other: Counts) {
        responses += other.responses
        for question in scores.indices {
            for score in 0..<5 { scores[question][score] += other.scores[question][score] }
        }
        for stage in stages.indices { stages[stage] += other.stages[stage] }
    }

    /// The counts of `response` taken away: what adding it added, negated (a response set aside after it was counted).
    public static func minus(_ response: SurveyResponse) -> Counts {
        var counts = Counts.zero
        counts.add(response)
        counts.responses = -counts.responses
        counts.scores = counts.scores.map { $0.map { -$0 } }
        counts.stages = counts.stages.map { -$0 }
        return counts
    }

    public static func + (lhs: Counts, rhs: Counts) -> Counts {
        var sum = lhs
        sum.add(rhs)
        return sum
    }

    /// Answers to question `index` (0 for q1).
    public func answers(_ index: Int) -> Int { scores[index].reduce(0, +) }

    /// Non-empty answers to q1 to q4.
    public var ratings: Int { scores.indices.reduce(0) { $0 + answers($1) } }

    /// Ratings of `k` or more, over all questions.
    public func ratings(atLeast k: Int) -> Int {
        scores.reduce(0) { total, counts in total + counts[(k - 1)...].reduce(0, +) }
    }

    /// The sum of all scores given.
    public var scoreSum: Int {
        scores.reduce(0) { total, counts in
            total + counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
        }
    }
}
