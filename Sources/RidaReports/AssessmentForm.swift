import Foundation
import RidaAssessment
import RidaSurvey

/// The guide's evaluation forms filled in from an assessment: appendix 5 (framework 1: the basic form, then the
/// advanced form) and appendix 6 (framework 2), each with its number, criterion, met? and notes columns and the
/// final result line. Rendered as text, JSON and HTML from one model, so the three always agree.
public struct AssessmentForm: Sendable {
    /// One form (appendix 5 has two: basic and advanced).
    public struct Part: Sendable {
        public var title: LocalizedText
        public var categories: [CategoryBlock]
        public var result: Result
    }

    public struct CategoryBlock: Sendable {
        public var id: String
        public var name: LocalizedText
        public var subcategories: [SubcategoryBlock]
    }

    public struct SubcategoryBlock: Sendable {
        public var id: String
        public var name: LocalizedText
        public var lines: [AssessmentSheet.Line]
    }

    /// The form's final result line.
    public struct Result: Sendable {
        public var satisfied: Int
        public var required: Int
        /// Met and not applicable, counted apart ("93 met and 1 not applicable of 94").
        public var met: Int
        public var notApplicable: Int
        public var shield: Shield
        public var reached: Bool
        /// The guide's sentence under the result.
        public var rule: LocalizedText
    }

    public var sheet: AssessmentSheet
    public var title: LocalizedText
    public var parts: [Part]
    /// Framework 2's non-binding criteria, shown after the form and not counted.
    public var nonBinding: [AssessmentSheet.Line]

    public init(_ sheet: AssessmentSheet, catalogue: Catalogue = .standard) {
        self.sheet = sheet
        let framework = catalogue[sheet.assessment.framework]
        let byID = Dictionary(uniqueKeysWithValues: sheet.lines.map { ($0.criterion.id, $0) })
        func blocks(_ include: (Criterion) -> Bool) -> [CategoryBlock] {
            framework.categories.compactMap { category in
                let subs = category.subcategories.compactMap { sub -> SubcategoryBlock? in
                    let lines = sub.criteria.filter(include).compactMap { byID[$0.id] }
                    return lines.isEmpty ? nil : SubcategoryBlock(id: sub.id, name: sub.name, lines: lines)
                }
                return subs.isEmpty ? nil : CategoryBlock(id: category.id, name: category.name, subcategories: subs)
            }
        }
        func result(_ shield: Shield, rule: LocalizedText) -> Result {
            let standing = sheet.classification.standing(shield)!
            return Result(satisfied: standing.satisfied, required: standing.required, met: standing.met, notApplicable: standing.notApplicable,
                          shield: shield, reached: standing.reached, rule: rule)
        }
        switch sheet.assessment.framework {
        case .headquarters:
            title = LocalizedText(ar: "استمارة تقييم مراكز خدمة العملاء الحكومية (المقر)", en: "Evaluation form for government customer-service centres (headquarters)")
            let basic = framework.criteria.filter { $0.tier == .basic }.count
            let advanced = framework.criteria.filter { $0.tier == .advanced }.count
            parts = [
                Part(title: LocalizedText(ar: "المعايير الأساسية", en: "Basic criteria"), categories: blocks { $0.tier == .basic },
                     result: result(.silver, rule: LocalizedText(
                        ar: "يتعين على المركز استيفاء جميع المعايير الأساسية ضمن الإطار الأول بنسبة 100% للحصول على الدرع \"فضي\"، وبذلك يكون بحاجة إلى استيفاء \(basic) معيار أساسياً.",
                        en: "The centre must meet all the basic criteria of framework 1 (100%) to obtain the silver shield: \(basic) basic criteria."))),
                Part(title: LocalizedText(ar: "المعايير المتقدمة", en: "Advanced criteria"), categories: blocks { $0.tier == .advanced },
                     result: result(.gold, rule: LocalizedText(
                        ar: "يتعين على المركز استيفاء معايير الإطار الأول الأساسية والتي تبلغ \(basic) معيار والمعايير المتقدمة والتي تبلغ \(advanced) معيار بنسبة 100% للحصول على تصنيف الفئة الأولى (الدرع الذهبي)",
                        en: "The centre must meet framework 1's \(basic) basic criteria and \(advanced) advanced criteria (100%) to be classified first class (gold shield)."))),
            ]
            nonBinding = []
        case .remote:
            title = LocalizedText(ar: "استمارة تقييم مراكز خدمة العملاء الحكومية (عن بعد)", en: "Evaluation form for government customer-service centres (remote)")
            let binding = framework.criteria.filter { $0.binding == true }.count
            parts = [
                Part(title: LocalizedText(ar: "معايير التقييم", en: "Evaluation criteria"), categories: blocks { $0.binding == true },
                     result: result(.remoteService, rule: LocalizedText(
                        ar: "يتعين على مركز الجهة أو المؤسسة الحكومية المعتمد في الخدمة عن بعد استيفاء معايير التقييم ضمن الإطار الثاني بنسبة 100% للحصول على درع \"الخدمة عن بعد\". وبذلك يكون بحاجة إلى استيفاء \(binding) معيار",
                        en: "The entity's remote service centre must meet framework 2's evaluation criteria (100%) to obtain the remote-service shield: \(binding) criteria."))),
            ]
            nonBinding = sheet.lines.filter { $0.criterion.binding == false }
        }
    }

    /// The verdict as the form's "met?" cell.
    public static func mark(_ verdict: Verdict, _ language: Language) -> String {
        switch verdict {
        case .met: language == .ar ? "✓ مستوفى" : "✓ met"
        case .notMet: language == .ar ? "✗ غير مستوفى" : "✗ not met"
        case .notApplicable: language == .ar ? "لا ينطبق" : "N/A"
        case .pending: language == .ar ? "… قيد التقييم" : "… pending"
        }
    }

    /// The notes cell: the evaluator's note, mechanism and evidence; for data criteria, what the data says.
    public static func notes(_ line: AssessmentSheet.Line, _ language: Language) -> [String] {
        var notes: [String] = []
        let ar = language == .ar
        if let recorded = line.recorded, recorded.verdict != .computed {
            var head = line.computed != nil ? (ar ? "حكم فريق التقييم (يعتمد): " : "The team's verdict (decides): ") : ""
            if recorded.verdict == .notApplicable, !line.criterion.mayBeNotApplicable {
                head += ar ? "«لا ينطبق» غير مقبول لهذا المعيار، فهو قيد التقييم: " : "Not applicable is not accepted on this criterion, so it is pending: "
            }
            if recorded.verdict == .notApplicable { head += ar ? "لا ينطبق: " : "Not applicable: " }
            if let note = recorded.note, !note.isEmpty { head += note }
            var by = "— \(recorded.evaluator), \(recorded.at.iso8601.prefix(10))"
            if let mechanism = recorded.mechanism { by += ", \(mechanism.name[language])" }
            notes.append(head.isEmpty ? by : head + " " + by)
            for evidence in recorded.evidence { notes.append((ar ? "الدليل: " : "Evidence: ") + evidence.description) }
        }
        if let computed = line.computed {
            let label: String
            if computed.outcome == .forEvaluator {
                label = ar ? "من بيانات رضا" : "From Rida's data"
            } else {
                label = ar ? "اقتراح المحرك من البيانات" : "The engine's proposal from the data"
            }
            notes.append("\(label) (\(computed.label)): \(computed.summary)")
            for caution in computed.cautions.prefix(4) { notes.append((ar ? "تنبيه: " : "Caution: ") + caution) }
            for evidence in computed.evidence { notes.append((ar ? "الدليل: " : "Evidence: ") + evidence.description) }
        }
        return notes
    }

    /// The form's descriptive part (guide-notes decision 16): appendix 5's descriptive evaluation (strengths, areas to
    /// develop) or appendix 6's channel strengths and services, as (title, text) pairs; an item not yet recorded reads as
    /// such. For framework 2, appendix 4's scores of the entity's replies, each item's mean with the number scored.
    public func descriptive(_ language: Language) -> [(String, String)] {
        let ar = language == .ar
        var out: [(String, String)] = []
        let recorded = Dictionary(uniqueKeysWithValues: sheet.descriptions.map { ($0.item, $0) })
        for item in DescriptionItem.of(sheet.assessment.framework) {
            if let entry = recorded[item] {
                out.append((item.name[language], "\(entry.text) — \(entry.evaluator), \(entry.at.iso8601.prefix(10))"))
            } else {
                out.append((item.name[language], ar ? "لم يُسجل بعد (rida assess describe)" : "not recorded yet (rida assess describe)"))
            }
        }
        if sheet.assessment.framework == .remote {
            let title = ar ? "جودة الردود على شكاوى تواصل (ملحق 4)" : "Quality of replies to Tawasul complaints (appendix 4)"
            guard let replies = sheet.replies, replies.replies > 0 else {
                out.append((title, ar ? "لم تُقيّم أي ردود على شكاوى الفترة" : "no reply to a complaint of the period scored yet"))
                return out
            }
            let items = replies.itemMeans.enumerated().map { index, mean in
                (ar ? "البند \(index + 1): " : "item \(index + 1): ") + (mean.map { String(format: "%.2f", $0) } ?? "–")
                    + (ar ? " (\(replies.replies) رد)" : " (\(replies.replies) scored)")
            }
            out.append((title, items.joined(separator: ar ? "؛ " : "; ")
                        + (replies.mean.map { String(format: ar ? "؛ المتوسط %.2f" : "; overall %.2f", $0) } ?? "")))
        }
        return out
    }

    /// Where the unit stands, in a sentence: the shield reached and what stands between it and the next.
    public static func standing(_ classification: Classification, _ language: Language) -> [String] {
        let ar = language == .ar
        var lines: [String] = []
        let provisional = classification.provisional ? (ar ? " (مؤقت: التقييم مفتوح)" : " (provisional: the assessment is open)") : ""
        if let reached = classification.reached {
            var line = (ar ? "التصنيف المحقق: " : "Shield reached: ") + reached.name[language] + provisional
            if let standing = classification.standing(reached) { line += ar ? " — \(standing.tallyAr)" : " — \(standing.tally)" }
            lines.append(line)
        } else {
            lines.append((ar ? "التصنيف المحقق: لا يوجد" : "Shield reached: none") + provisional)
        }
        if let next = classification.next, let standing = classification.standing(next) {
            var line = (ar ? "للوصول إلى " : "To reach the ") + next.name[language] + ": "
            line += ar ? standing.tallyAr : standing.tally
            if !standing.notMet.isEmpty {
                line += ar ? "؛ غير مستوفاة (\(standing.notMet.count)): " : "; not met (\(standing.notMet.count)): "
                line += standing.notMet.joined(separator: ", ")
            }
            if !standing.pending.isEmpty {
                line += ar ? "؛ قيد التقييم (\(standing.pending.count)): " : "; pending (\(standing.pending.count)): "
                line += standing.pending.joined(separator: ", ")
            }
            lines.append(line)
        }
        return lines
    }

    // MARK: Text

    public func text(_ language: Language) -> String {
        let ar = language == .ar
        let a = sheet.assessment
        var out = "\(title[language]) — \(a.id)\n"
        out += header(language).map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
        for line in Self.standing(sheet.classification, language) { out += line + "\n" }
        out += "\n== " + (a.framework == .headquarters ? (ar ? "التقييم الوصفي" : "Descriptive evaluation")
                                                       : (ar ? "القنوات والخدمات" : "Channels and services")) + " ==\n"
        for (title, text) in descriptive(language) { out += "\(title): \(text)\n" }
        for part in parts {
            out += "\n== \(part.title[language]) ==\n"
            for category in part.categories {
                out += "\n\(category.id) \(category.name[language])\n"
                for sub in category.subcategories {
                    out += "  \(sub.id): \(sub.name[language])\n"
                    for line in sub.lines {
                        out += "    \(line.criterion.id)  [\(Self.mark(line.verdict, language))]  \(line.criterion.text[language])\n"
                        for note in Self.notes(line, language) { out += "          \(note)\n" }
                    }
                }
            }
            out += "\n" + resultLine(part.result, language) + "\n" + part.result.rule[language] + "\n"
        }
        if !nonBinding.isEmpty {
            out += "\n== " + (ar ? "معايير غير ملزمة (لا تحتسب)" : "Non-binding criteria (not counted)") + " ==\n"
            for line in nonBinding {
                out += "    \(line.criterion.id)*  [\(Self.mark(line.verdict, language))]  \(line.criterion.text[language])\n"
                for note in Self.notes(line, language) { out += "          \(note)\n" }
            }
        }
        return out
    }

    func header(_ language: Language) -> [(String, String)] {
        let ar = language == .ar
        let a = sheet.assessment
        return [
            (ar ? "الرقم" : "Assessment", a.id),
            (ar ? "الإطار" : "Framework", "\(a.framework.rawValue): \(sheet.frameworkName[language])"),
            (a.framework == .headquarters ? (ar ? "المركز" : "Centre") : (ar ? "الجهة" : "Entity"),
             a.unit + (sheet.unitName.map { " — \($0[language])" } ?? "")),
            (ar ? "دورة التقييم" : "Cycle", "\(a.cycle)"),
            (ar ? "فترة التقييم" : "Period", a.period),
            (ar ? "فُتح" : "Opened", "\(a.openedAt.iso8601.prefix(10)), \(a.openedBy)"),
            (ar ? "الحالة" : "Status", a.closing.map { closing in
                ar ? "مغلق في \(closing.at.iso8601.prefix(10))، \(closing.by): الأحكام المحسوبة نهائية"
                   : "closed \(closing.at.iso8601.prefix(10)), \(closing.by): computed verdicts final"
            } ?? (ar ? "مفتوح: الأحكام المحسوبة مؤقتة" : "open: computed verdicts provisional")),
            (ar ? "حُسب في" : "Computed at", String(sheet.computedAt.iso8601.prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"),
        ]
    }

    func resultLine(_ result: Result, _ language: Language) -> String {
        let ar = language == .ar
        let state = result.reached
            ? (ar ? "محقق" : "reached")
            : (ar ? "غير محقق" : "not reached")
        return (ar ? "النتيجة النهائية: " : "Final result: ")
            + (ar ? "\(result.met) مستوفى" + (result.notApplicable > 0 ? " و\(result.notApplicable) لا ينطبق" : "") + " من \(result.required)"
                  : "\(result.met) met" + (result.notApplicable > 0 ? " and \(result.notApplicable) not applicable" : "") + " of \(result.required)")
            + " — \(result.shield.name[language]): \(state)"
    }

    // MARK: JSON

    /// The sheet as JSON: every criterion with its recorded entry, its computed verdict and the figures it rests on.
    public static func json(_ sheet: AssessmentSheet) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(sheet), as: UTF8.self) + "\n"
    }
}
