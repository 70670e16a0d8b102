/// z for a two-sided 95% interval.
public let z95 = 1.959964

/// A confidence interval of a proportion.
public struct Interval: Sendable, Hashable, Codable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// Whether `value` lies strictly inside the interval: the data cannot tell which side it is on.
    public func straddles(_ value: Double) -> Bool { low < value && value < high }
}

/// The Wilson score interval of `successes` out of `trials`, nil when there are no trials.
public func wilsonInterval(successes: Int, trials: Int, z: Double = z95) -> Interval? {
    guard trials > 0 else { return nil }
    let n = Double(trials)
    let p = Double(successes) / n
    let z2 = z * z
    let denominator = 1 + z2 / n
    let centre = (p + z2 / (2 * n)) / denominator
    let half = (z / denominator) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
    return Interval(low: max(0, centre - half), high: min(1, centre + half))
}

/// The pooled two-proportion z test of `x1/n1` against `x2/n2`.
public struct ProportionTest: Sendable, Hashable, Codable {
    /// The z statistic; positive when the first proportion is higher.
    public var z: Double
    /// Whether |z| ≥ 1.959964: the change is significant at 95%.
    public var significant: Bool

    public init?(x1: Int, n1: Int, x2: Int, n2: Int) {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = Double(x1) / Double(n1)
        let p2 = Double(x2) / Double(n2)
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))
        if variance == 0 {
            self.z = 0
            self.significant = false
        } else {
            self.z = (p1 - p2) / variance.squareRoot()
            self.significant = abs(z) >= z95
        }
    }
}
