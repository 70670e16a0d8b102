import RidaSurvey
import Testing

/// Issue 16, point 2: the rules that set aside what no customer gave, on timelines whose answers are worked out by hand.
struct MisuseRulesTests {
    let rules = MisuseRules()  // a burst: more than 10 in 60 s; 5 identical in 120 s; less than 4 s after the previous
    /// 2026-02-01 10:00:00 +03:00.
    let ten = Instant(millisecondsSince1970: 1_769_929_200_000)

    func at(_ seconds: Double, _ id: String, _ ratings: [Int?], comment: String? = nil) -> DeviceSubmission {
        DeviceSubmission(id: id, submittedAt: Instant(millisecondsSince1970: ten.millisecondsSince1970 + Int64(seconds * 1_000)),
                         ratings: ratings, comment: comment)
    }

    /// The kiosk: ordinary customers a minute or more apart, and between them sixty fives, one a second. Each of
    /// the sixty lies in a span of less than 60 s holding more than ten: all sixty are a burst, and nobody else is.
    @Test func aHammeredKioskSetsAsideTheSixtyFivesAndNoCustomer() {
        var timeline: [DeviceSubmission] = []
        let ordinary: [(Double, [Int?])] = [(0, [4, 3, 4, 5]), (75, [2, 3, nil, 3]), (190, [5, 5, 4, 4]), (300, [3, 3, 3, 3]),
                                            (900, [4, 4, 5, 4]), (1_000, [1, 2, 2, 1])]
        for (i, (second, ratings)) in ordinary.enumerated() { timeline.append(at(second, "c\(i)", ratings)) }
        for i in 0..<60 { timeline.append(at(600 + Double(i), "h\(i)", [5, 5, 5, 5])) }
        let flags = rules.flags(timeline)
        #expect(Set(flags.keys) == Set((0..<60).map { "h\($0)" }))
        #expect(Set(flags.values) == [.burst])
    }

    /// A kiosk's offline queue delivers an hour of customers at once: the rules read the device's clock, five minutes
    /// apart here, so nothing is set aside.
    @Test func anOfflineQueueDeliveredAtOnceIsNotABurst() {
        let timeline = (0..<12).map { at(Double($0) * 300, "q\($0)", [1 + $0 % 5, 4, 4, 4]) }
        #expect(rules.flags(timeline).isEmpty)
    }

    /// Eleven responses 6 s apart span 0…60 s: no span shorter than 60 s holds more than ten (0…54 holds ten). Eleven
    /// 5.9 s apart span 0…59 s: all eleven are a burst. Their ratings differ, so the identical rule stays silent.
    @Test func aBurstIsMoreThanTheCountInASpanShorterThanTheWindow() {
        let spaced = (0..<11).map { at(Double($0) * 6, "s\($0)", [1 + $0 % 5, 1 + ($0 + 1) % 5, 3, nil]) }
        #expect(rules.flags(spaced).isEmpty)
        let crowded = (0..<11).map { at(Double($0) * 5.9, "c\($0)", [1 + $0 % 5, 1 + ($0 + 1) % 5, 3, nil]) }
        #expect(rules.flags(crowded) == Dictionary(uniqueKeysWithValues: (0..<11).map { ("c\($0)", MisuseRule.burst) }))
    }

    /// Five responses of 5-5-5-5 25 s apart (0…100 s, within 120 s) are set aside as identical; four are not, and
    /// neither are five when one of them carries a comment (a customer wrote it). A different answer between them
    /// stays counted.
    @Test func repeatedIdenticalAnswersAreSetAsideFromTheFifth() {
        let five = (0..<5).map { at(Double($0) * 25, "i\($0)", [5, 5, 5, 5]) } + [at(30, "other", [5, 5, 5, 4])]
        #expect(rules.flags(five) == ["i0": .identical, "i1": .identical, "i2": .identical, "i3": .identical, "i4": .identical])
        #expect(rules.flags(Array(five.dropFirst())).isEmpty)
        var commented = five
        commented[2].comment = "خدمة ممتازة"
        #expect(rules.flags(commented).isEmpty)
        // Five identical over 0…120 s: no span shorter than 120 s holds five. Happy customers at a busy kiosk, one all-fives
        // answer a minute, are never set aside.
        let slow = (0..<5).map { at(Double($0) * 30, "s\($0)", [5, 5, 5, 5]) }
        #expect(rules.flags(slow).isEmpty)
        let busy = (0..<30).map { at(Double($0) * 60, "b\($0)", [5, 5, 5, 5]) }
        #expect(rules.flags(busy).isEmpty)
        #expect(rules.flags(slow).isEmpty)
    }

    /// Responses at 0, 3 and 10 s: the second came 3 s after the first (under 4 s), the third 7 s after the second.
    /// Only the second is too fast; turning the rule off (0) sets nothing aside.
    @Test func aResponseFasterThanReadingIsSetAsideButNotTheOneBefore() {
        let timeline = [at(0, "a", [4, 4, 4, 4]), at(3, "b", [3, 4, 5, 2]), at(10, "c", [2, 2, 3, 3])]
        #expect(rules.flags(timeline) == ["b": .tooFast])
        var off = rules
        off.minimumSeconds = 0
        #expect(off.flags(timeline).isEmpty)
    }

    /// The burst rule wins over the others for a response that several flag; the order the timeline is given in does
    /// not matter (the rules sort it by the device's clock).
    @Test func theFirstRuleWinsAndTheOrderGivenDoesNotMatter() {
        let timeline = (0..<12).map { at(Double($0) * 2, "b\($0)", [5, 5, 5, 5]) }
        let flags = rules.flags(timeline)
        #expect(flags.count == 12 && Set(flags.values) == [.burst])
        #expect(rules.flags(timeline.reversed()) == flags)
        #expect(rules.flags(timeline.shuffled()) == flags)
    }
}
