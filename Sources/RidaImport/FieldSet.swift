import RidaAssessment
import RidaSurvey

/// The fields of one kind of record an import reads: survey responses, Tawasul complaints, contact-centre records.
///
/// The CSV reader, the mapping and the row plan are the same for every kind; only this differs.
public struct FieldSet: Sendable {
    /// The import's kind, as recorded in the `import` table.
    public var kind: String
    /// Rida's field names, in the order of the canonical CSV header.
    public var names: [String]
    /// The columns a canonical header (no mapping) must have.
    public var requiredColumns: [String]
    /// The fields a mapping must say something about (a column or a fixed value).
    public var requiredInMapping: [String]
    /// Rated fields: scale labels apply to them, and a mapping must map at least one (empty: no such rule).
    public var ratingFields: [String]
    /// The fields that hold times, which may take a `dateFormat`.
    public var dateFields: [String]
    /// The canonical header, said in the error shown when a header lacks a column.
    public var canonicalHeader: String

    /// Survey responses (appendix 3).
    public static let responses = FieldSet(
        kind: "responses", names: ResponseDraft.fieldNames,
        requiredColumns: ["centre", "channel", "submitted_at", "q1", "q2", "q3", "q4"],
        requiredInMapping: ["centre", "channel", "submitted_at"],
        ratingFields: ["q1", "q2", "q3", "q4"], dateFields: ["submitted_at"],
        canonicalHeader: "id,centre,channel,submitted_at,q1,q2,q3,q4,service,counter,comment")

    /// Customers served per centre, channel and quarter (issue 15 point 4): the response rates' denominators.
    public static let served = FieldSet(
        kind: "served", names: ["centre", "channel", "quarter", "customers"],
        requiredColumns: ["centre", "channel", "quarter", "customers"],
        requiredInMapping: ["centre", "channel", "quarter", "customers"],
        ratingFields: [], dateFields: [], canonicalHeader: "centre,channel,quarter,customers")

    /// The fields of an evidence kind (docs/mapping.md).
    public static func evidence(_ kind: EvidenceKind) -> FieldSet {
        FieldSet(kind: kind.rawValue, names: kind.fieldNames,
                 requiredColumns: kind.requiredFields + ["answered_at"],
                 requiredInMapping: kind.requiredFields, ratingFields: [], dateFields: kind.timeFields,
                 canonicalHeader: kind.fieldNames.joined(separator: ","))
    }
}

/// A record as it arrives, every field still text, filled field by field from a row.
protocol RowDraft {
    static var blank: Self { get }
    @discardableResult mutating func set(_ name: String, _ value: String?) -> Bool
    /// Sets the field at `index` of the field set's names (called `name`): the per-row fast path.
    mutating func set(fieldAt index: Int, name: String, _ value: String?)
}

extension RowDraft {
    mutating func set(fieldAt index: Int, name: String, _ value: String?) {
        set(name, value)
    }
}

extension ResponseDraft: RowDraft {
    static var blank: ResponseDraft { ResponseDraft() }

    // `FieldSet.responses.names` is `ResponseDraft.fieldNames`, so the index alone says the field.
    mutating func set(fieldAt index: Int, name: String, _ value: String?) {
        set(fieldAt: index, value)
    }
}

extension EvidenceDraft: RowDraft {
    static var blank: EvidenceDraft { EvidenceDraft() }

    @discardableResult
    mutating func set(_ name: String, _ value: String?) -> Bool {
        self[name] = value
        return true
    }
}
