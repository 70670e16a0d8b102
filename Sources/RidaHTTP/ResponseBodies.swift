import Foundation
import RidaStore
import RidaSurvey

/// A JSON object read as a response draft: every field kept as text (JSON numbers become their text,
/// so `4` and `"4"` are the same rating), with a problem for each field Rida does not know or cannot read.
/// Validation proper is `ResponseValidator`'s, the one path shared with imports.
struct DraftDecoding: Decodable {
    var draft = ResponseDraft()
    var problems: [Problem] = []

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: AnyKey.self) else {
            problems = [Problem(reason: "a response is a JSON object of fields (id, centre, channel, submitted_at, q1 to q4, ...)")]
            return
        }
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let name = key.stringValue
            guard ResponseDraft.fieldNames.contains(name) else {
                problems.append(Problem(field: name, reason: "is not a field of a response (fields: \(ResponseDraft.fieldNames.joined(separator: ", ")))"))
                continue
            }
            if (try? container.decodeNil(forKey: key)) == true { continue }
            if let text = try? container.decode(String.self, forKey: key) {
                draft.set(name, text)
            } else if let number = try? container.decode(Int64.self, forKey: key) {
                draft.set(name, String(number))
            } else if let number = try? container.decode(Double.self, forKey: key) {
                draft.set(name, "\(number)")
            } else {
                problems.append(Problem(field: name, reason: "must be text or a number"))
            }
        }
    }
}

/// `{"responses": [ ... ]}`.
struct BatchDecoding: Decodable {
    var items: [DraftDecoding]

    struct ShapeError: Error {}

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: AnyKey.self),
              let key = container.allKeys.first(where: { $0.stringValue == "responses" }),
              var list = try? container.nestedUnkeyedContainer(forKey: key) else {
            throw ShapeError()
        }
        var items: [DraftDecoding] = []
        items.reserveCapacity(list.count ?? 0)
        while !list.isAtEnd {
            items.append(try list.decode(DraftDecoding.self))
        }
        self.items = items
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
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
