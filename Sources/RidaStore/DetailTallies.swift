import RidaSurvey

/// A batch's counts per group × value (a service or a counter), flat, laid out as `RollupLayout.detailColumns`:
/// responses, then q1 score 1 … q4 score 5 (the service and counter rollups keep no stages).
struct DetailTallies {
    static let stride = RollupLayout.detailWidth
    var values: [Int64]

    init(count: Int) {
        values = [Int64](repeating: 0, count: count * Self.stride)
    }

    @inline(__always)
    mutating func add(_ response: SurveyResponse, at index: Int) {
        RollupLayout.add(response, to: &values, at: index * Self.stride, stages: false)
    }
}
