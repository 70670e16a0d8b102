import RidaAggregation
import RidaSurvey

/// The one owner of a rollup row's layout: its count columns, in order, and where each (question, score) and stage
/// falls among them. Every rollup table (`rollup`, `dayRollup`; `serviceRollup` and `counterRollup` without the
/// stages) keeps these columns after its key columns, and the store reads and writes them through this type only.
///
/// The order is the one `Counts` flattens to: `responses`, then `q1s1` … `q1s5`, `q2s1` … `q4s5`, then
/// `stageBefore`, `stageDuring`, `stageAfter`, 24 columns. The migrations that created the tables spell the
/// columns out in literal SQL (a landed migration never changes); `MigrationTextTests` and `rida db check`'s
/// schema comparison hold this type and them together.
public enum RollupLayout {
    /// Rated questions (q1 to q4) and the scores each can take (1 to 5).
    public static let questions = SurveyResponse.ratedQuestionCount
    public static let scores = 5

    /// Where `responses` is: the first count column.
    public static let responsesIndex = 0
    /// The count columns of `rollup` and `dayRollup`, in order.
    public static let columns: [String] = {
        var columns = ["responses"]
        for q in 1...questions { for s in 1...scores { columns.append("q\(q)s\(s)") } }
        return columns + ["stageBefore", "stageDuring", "stageAfter"]
    }()
    /// The count columns of `serviceRollup` and `counterRollup`: `responses` and the scores, no stages.
    public static let detailColumns: [String] = Array(columns.prefix(detailWidth))
    /// How many count columns a rollup row has (24), and a service or counter row (21).
    public static let width = 1 + questions * scores + Stage.allCases.count
    public static let detailWidth = 1 + questions * scores

    /// The column index of `score` (1 to 5) given to `question` (0 for q1): q1s1 is 1, q4s5 is 20.
    @inline(__always)
    public static func index(question: Int, score: Int) -> Int {
        1 + question * scores + (score - 1)
    }

    /// The column index of a stage's count: before 21, during 22, after 23.
    @inline(__always)
    public static func index(of stage: Stage) -> Int {
        switch stage {
        case .before: 1 + questions * scores
        case .during: 2 + questions * scores
        case .after: 3 + questions * scores
        }
    }

    /// Adds one response to flat counts laid out from `base`: responses, its scores and, when `stages`, its stage.
    @inline(__always)
    public static func add<C: MutableCollection>(_ response: SurveyResponse, to counts: inout C, at base: C.Index, stages: Bool = true)
    where C.Index == Int, C.Element: FixedWidthInteger {
        counts[base + responsesIndex] += 1
        for question in 0..<questions {
            if let rating = response.ratings[question] { counts[base + index(question: question, score: rating)] += 1 }
        }
        if stages, let stage = response.stage { counts[base + index(of: stage)] += 1 }
    }

    /// `counts` flat in the columns' order (all 24, or the first 21 when `detail`).
    public static func values(of counts: Counts, detail: Bool = false) -> [Int64] {
        var values = [Int64](repeating: 0, count: detail ? detailWidth : width)
        values[responsesIndex] = Int64(counts.responses)
        for question in 0..<questions {
            for score in 1...scores { values[index(question: question, score: score)] = Int64(counts.scores[question][score - 1]) }
        }
        if !detail {
            for stage in Stage.allCases { values[index(of: stage)] = Int64(counts.stages[stage.position]) }
        }
        return values
    }

    /// The counts whose column `i` is `value(i)`: all 24 columns, or the first 21 when `detail` (no stages).
    @inline(__always)
    public static func counts(detail: Bool = false, _ value: (Int) -> Int) -> Counts {
        var counts = Counts(responses: value(responsesIndex))
        for question in 0..<questions {
            for score in 1...scores { counts.scores[question][score - 1] = value(index(question: question, score: score)) }
        }
        if !detail {
            counts.stages = Stage.allCases.map { value(index(of: $0)) }
        }
        return counts
    }
}

extension Stage {
    /// The stage's place in `Counts.stages`: before 0, during 1, after 2.
    var position: Int {
        switch self {
        case .before: 0
        case .during: 1
        case .after: 2
        }
    }
}
