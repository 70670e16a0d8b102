import Foundation
import RidaStore
import RidaSurvey

/// A JSON object read as a response draft: every field kept as text (JSON numbers as the text sent,
/// so `4` and `"4"` are the same rating), with a problem for each field Rida does not know or cannot read.
/// Validation proper is `ResponseValidator`'s, the one path shared with imports.
struct DraftDecoding {
    var draft = ResponseDraft()
    var problems: [Problem] = []

    static let fieldNames = Set(ResponseDraft.fieldNames)

    init(_ value: JSONValue) {
        guard case .object(let members) = value else {
            problems = [Problem(reason: "a response is a JSON object of fields (id, centre, channel, submitted_at, q1 to q4, ...)")]
            return
        }
        for (name, value) in members {
            guard Self.fieldNames.contains(name) else {
                problems.append(Problem(field: name, reason: "is not a field of a response (fields: \(ResponseDraft.fieldNames.joined(separator: ", ")))"))
                continue
            }
            switch value {
            case .string(let text), .number(let text): draft.set(name, text)
            case .null: draft.set(name, nil)
            case .bool, .array, .object: problems.append(Problem(field: name, reason: "must be text or a number"))
            }
        }
    }
}

/// `{"responses": [ ... ]}`.
struct BatchDecoding {
    var items: [DraftDecoding]

    struct ShapeError: Error {}

    init(_ value: JSONValue) throws(ShapeError) {
        guard case .object(let members) = value, let list = members.last(where: { $0.0 == "responses" })?.1,
              case .array(let items) = list else {
            throw ShapeError()
        }
        self.items = items.map(DraftDecoding.init)
    }
}

/// What storing one response did, as the API tells it.
struct SubmissionResult: Encodable {
    var index: Int?
    var id: String?
    var status: String
    var fields: [String]?
    var problems: [ProblemBody]?

    enum Key: String, CodingKey { case index, id, status, fields, problems }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        if let index { try c.encode(index, forKey: .index) }
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        if let fields { try c.encode(fields, forKey: .fields) }
        if let problems { try c.encode(problems, forKey: .problems) }
    }

    init(index: Int? = nil, id: String?, outcome: SaveOutcome) {
        self.index = index
        self.id = id
        switch outcome {
        case .created: status = "created"
        case .duplicate: status = "duplicate"
        case .conflict(let fields):
            status = "conflict"
            self.fields = fields
        }
    }

    init(index: Int, id: String?, problems: [Problem]) {
        self.index = index
        self.id = id
        status = "rejected"
        self.problems = problems.map(ProblemBody.init)
    }
}

struct BatchResult: Encodable {
    var created = 0
    var duplicates = 0
    var conflicts = 0
    var rejected = 0
    var results: [SubmissionResult] = []
}
