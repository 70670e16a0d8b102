import Foundation
import RidaSurvey

/// A follow-up case that cannot be changed as asked.
public enum CaseError: RidaFailure, Equatable {
    /// No case has this number (or none the caller may see).
    case unknownCase(Int64)
    /// The case's status does not allow the move: a finished case stays finished.
    case notAllowed(id: Int64, from: CaseStatus, to: CaseStatus)
    /// Closing without contact needs a reason.
    case closeNeedsReason(Int64)
    /// The change changes nothing: no owner, status or note.
    case emptyChange
    /// A field is too long or holds control characters.
    case invalidField(field: String, reason: String)

    public var description: String {
        switch self {
        case .unknownCase(let id):
            "There is no follow-up case \(id)."
        case .notAllowed(let id, let from, let to):
            from.isFinished
                ? "Case \(id) is \(from.rawValue) already: a finished case is not reopened (open a note on it instead)."
                : "Case \(id) is \(from.rawValue) and cannot become \(to.rawValue): cases go open → contacted → resolved, or are closed without contact."
        case .closeNeedsReason(let id):
            "Closing case \(id) without contact needs a reason (why the customer was not contacted)."
        case .emptyChange:
            "Nothing to change: give an owner, a status or a note."
        case .invalidField(let field, let reason):
            "The case's \(field) \(reason)."
        }
    }

    public var kind: FailureKind {
        switch self {
        case .unknownCase: .notFound
        case .notAllowed: .conflict
        case .closeNeedsReason, .emptyChange, .invalidField: .invalid
        }
    }

    public var code: String {
        switch self {
        case .unknownCase: "unknown_case"
        case .notAllowed: "case_status_not_allowed"
        case .closeNeedsReason: "close_reason_missing"
        case .emptyChange: "empty_case_change"
        case .invalidField: "invalid_case_field"
        }
    }

    public var problems: [Problem] {
        if case .invalidField(let field, let reason) = self { [Problem(field: field, reason: reason)] } else { [] }
    }
}

extension CaseChange {
    /// The change checked before any store sees it: lengths, control characters, a close's reason, something to do.
    public func checked(case id: Int64) throws(CaseError) -> CaseChange {
        var change = self
        func clean(_ text: String?, _ field: String, limit: Int) throws(CaseError) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            guard text.utf8.count <= limit else { throw .invalidField(field: field, reason: "is \(text.utf8.count) bytes long; at most \(limit) are accepted") }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F }) else {
                throw .invalidField(field: field, reason: "contains a control character")
            }
            return text
        }
        change.owner = try clean(owner, "owner", limit: 200)
        change.note = try clean(note, "note", limit: 4_000)
        change.closeReason = try clean(closeReason, "reason", limit: 1_000)
        if change.status == .closed, change.closeReason == nil { throw .closeNeedsReason(id) }
        if change.owner == nil, change.status == nil, change.note == nil { throw .emptyChange }
        return change
    }
}

extension FollowUpCase {
    /// Applies a checked `change` (`CaseChange.checked(case:)`) at `time`, and returns what to record of it, in order:
    /// both stores go through here, so a move a status does not allow is refused the same way.
    public mutating func apply(_ change: CaseChange, by who: String, at time: Instant) throws(CaseError) -> [CaseEvent] {
        var events: [CaseEvent] = []
        if let status = change.status, status != self.status {
            guard self.status.allows(status) else { throw .notAllowed(id: id, from: self.status, to: status) }
        } else if let status = change.status, status == self.status, status.isFinished {
            throw .notAllowed(id: id, from: self.status, to: status)
        }
        if let owner = change.owner, owner != self.owner {
            self.owner = owner
            events.append(CaseEvent(at: time, who: who, action: "assigned", detail: owner))
        }
        if let status = change.status, status != self.status {
            self.status = status
            if status.isFinished { finishedAt = time }
            if status == .closed { closeReason = change.closeReason }
            events.append(CaseEvent(at: time, who: who, action: status.rawValue, detail: status == .closed ? change.closeReason : nil))
        }
        if let note = change.note {
            events.append(CaseEvent(at: time, who: who, action: "note", detail: note))
        }
        return events
    }
}
