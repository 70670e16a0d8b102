import Foundation
import RidaStore
import RidaSurvey

/// A JSON object read as a response draft: every field kept as text (JSON numbers as the text sent,
/// so `4` and `"4"` are the same rating), with a problem for each field Rida does not know or cannot read.
/// Validation proper is `ResponseValidator`'s, the one path shared with imports.
struct DraftDecoding {
    var draft = ResponseDraft()
    var problems: [Problem] = []
    /// `"clock": "server"`: the kiosk page found its device's clock obviously wrong and sent Rida's time instead (or
    /// none, for Rida to stamp on receipt). Not stored; said back in the answer and logged.
    var serverClock = false

    static let fieldNames = Set(ResponseDraft.fieldNames)
    /// The customer's leave to be contacted (issue 16 point 1): read from the API only, never from imported files.
    static func contactField(_ name: String) -> WritableKeyPath<ResponseDraft, String?>? {
        switch name {
        case "contact_consent": \.contactConsent
        case "contact_phone": \.contactPhone
        case "contact_email": \.contactEmail
        default: nil
        }
    }

    init(_ value: JSONValue) {
        guard case .object(let members) = value else {
            problems = [Problem(reason: "a response is a JSON object of fields (id, centre, channel, submitted_at, q1 to q4, ...)")]
            return
        }
        for (name, value) in members {
            if name == "clock" {
                switch value {
                case .string("server"): serverClock = true
                case .string("device"), .null: break
                default: problems.append(Problem(field: "clock", reason: "must be \"device\" or \"server\" (the kiosk page's note of whose time submitted_at is)"))
                }
                continue
            }
            if let field = Self.contactField(name) {
                switch value {
                case .bool(let flag) where name == "contact_consent": draft[keyPath: field] = flag ? "true" : "false"
                case .string(let text), .number(let text): draft[keyPath: field] = text
                case .null: draft[keyPath: field] = nil
                default: problems.append(Problem(field: name, reason: name == "contact_consent" ? "must be true or false" : "must be text"))
                }
                continue
            }
            guard Self.fieldNames.contains(name) else {
                problems.append(Problem(field: name, reason: "is not a field of a response (fields: \((ResponseDraft.fieldNames + ResponseDraft.contactFieldNames).joined(separator: ", ")))"))
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
    /// "server" when `submitted_at` is the server's time, not the device's.
    var clock: String?

    enum Key: String, CodingKey { case index, id, status, fields, problems, clock }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        if let index { try c.encode(index, forKey: .index) }
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        if let fields { try c.encode(fields, forKey: .fields) }
        if let problems { try c.encode(problems, forKey: .problems) }
        if let clock { try c.encode(clock, forKey: .clock) }
    }

    init(index: Int? = nil, id: String?, outcome: SaveOutcome) {
        self.index = index
        self.id = id
        switch outcome {
        case .created: status = "created"
        case .duplicate: status = "duplicate"
        case .conflict(let fields):
            status = "conflict"
            // No fields: the stored response lies outside the caller's scope, and only its id is told.
            self.fields = fields.isEmpty ? nil : fields
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

    /// The same JSON `JSONEncoder` writes with sorted keys, written directly: encoding 1,000 results
    /// through `Encodable` took a seventh of a batch's time. A test checks the two agree.
    var json: [UInt8] {
        var out = JSONWriter()
        out.raw("{\"conflicts\":\(conflicts),\"created\":\(created),\"duplicates\":\(duplicates),\"rejected\":\(rejected),\"results\":[")
        for (position, result) in results.enumerated() {
            if position > 0 { out.raw(",") }
            out.raw("{")
            if let fields = result.fields {
                out.raw("\"fields\":[")
                for (i, field) in fields.enumerated() {
                    if i > 0 { out.raw(",") }
                    out.string(field)
                }
                out.raw("],")
            }
            out.raw("\"id\":")
            if let id = result.id { out.string(id) } else { out.raw("null") }
            if let index = result.index { out.raw(",\"index\":\(index)") }
            if let problems = result.problems {
                out.raw(",\"problems\":[")
                for (i, problem) in problems.enumerated() {
                    if i > 0 { out.raw(",") }
                    out.raw("{\"field\":")
                    if let field = problem.field { out.string(field) } else { out.raw("null") }
                    out.raw(",\"reason\":")
                    out.string(problem.reason)
                    out.raw("}")
                }
                out.raw("]")
            }
            out.raw(",\"status\":")
            out.string(result.status)
            out.raw("}")
        }
        out.raw("]}")
        return out.bytes
    }
}

/// Writes JSON text: strings escaped as `JSONEncoder` escapes them (with `.withoutEscapingSlashes`).
struct JSONWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
