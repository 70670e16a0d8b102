// The report's JSON is a public format (docs/report-format.md): every key is always present,
// with null where a figure is undefined (no ratings, no previous quarter), never left out.

extension Figures {
    enum Key: String, CodingKey {
        case centre, channel, quarter, responses, ratings, mean, questions
        case share3, share3Interval, share4, share4Interval, questionShare3, questionShare4
        case meanInterval, thresholds, confidence, sufficient, stages, change
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(centre, forKey: .centre)
        try c.encode(channel, forKey: .channel)
        try c.encode(quarter, forKey: .quarter)
        try c.encode(responses, forKey: .responses)
        try c.encode(ratings, forKey: .ratings)
        try c.encode(mean, forKey: .mean)
        try c.encode(questions, forKey: .questions)
        try c.encode(share3, forKey: .share3)
        try c.encode(share3Interval, forKey: .share3Interval)
        try c.encode(share4, forKey: .share4)
        try c.encode(share4Interval, forKey: .share4Interval)
        try c.encode(questionShare3, forKey: .questionShare3)
        try c.encode(questionShare4, forKey: .questionShare4)
        try c.encode(meanInterval, forKey: .meanInterval)
        try c.encode(thresholds, forKey: .thresholds)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(sufficient, forKey: .sufficient)
        try c.encode(stages, forKey: .stages)
        try c.encode(change, forKey: .change)
    }
}

extension QuestionFigures {
    enum Key: String, CodingKey { case answers, mean, counts }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(answers, forKey: .answers)
        try c.encode(mean, forKey: .mean)
        try c.encode(counts, forKey: .counts)
    }
}

extension Thresholds {
    enum Key: String, CodingKey { case atLeast3In80Percent, atLeast4In80Percent, meanAtLeast4 }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(atLeast3In80Percent, forKey: .atLeast3In80Percent)
        try c.encode(atLeast4In80Percent, forKey: .atLeast4In80Percent)
        try c.encode(meanAtLeast4, forKey: .meanAtLeast4)
    }
}

extension Change {
    enum Key: String, CodingKey { case previousQuarter, previousResponses, mean, share3, share4, share3Test, share4Test }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(previousQuarter, forKey: .previousQuarter)
        try c.encode(previousResponses, forKey: .previousResponses)
        try c.encode(mean, forKey: .mean)
        try c.encode(share3, forKey: .share3)
        try c.encode(share4, forKey: .share4)
        try c.encode(share3Test, forKey: .share3Test)
        try c.encode(share4Test, forKey: .share4Test)
    }
}

extension QuarterlyReport {
    enum Key: String, CodingKey { case quarter, timeZone, reading, minimumResponses, centre, channel, entity, groups, centres, setAside, cases, casesAsOf, reach }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(quarter, forKey: .quarter)
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(reading, forKey: .reading)
        try c.encode(minimumResponses, forKey: .minimumResponses)
        try c.encode(centre, forKey: .centre)
        try c.encode(channel, forKey: .channel)
        try c.encode(entity, forKey: .entity)
        try c.encode(groups, forKey: .groups)
        try c.encode(centres, forKey: .centres)
        // Only when some response was set aside: a report (or a snapshot frozen) before the misuse rules re-encodes
        // byte for byte.
        try c.encodeIfPresent(setAside, forKey: .setAside)
        // Likewise only when a case was opened (issue 16).
        try c.encodeIfPresent(cases, forKey: .cases)
        try c.encodeIfPresent(casesAsOf, forKey: .casesAsOf)
        // Likewise only when a count of customers served was imported (issue 15 point 4): counts only, the rates are
        // computed from them.
        try c.encodeIfPresent(reach, forKey: .reach)
    }
}
