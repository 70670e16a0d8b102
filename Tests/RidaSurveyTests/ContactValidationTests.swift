import RidaSurvey
import Testing

/// The customer's leave to be contacted, as the one validator reads it: optional, never needed to rate, and refused
/// with its field when it is half given.
@Suite struct ContactValidationTests {
    static let now: Instant = {
        guard case .instant(let value) = ISO8601Timestamp.parse("2026-12-02T00:00:00Z") else { preconditionFailure() }
        return value
    }()

    static func draft(consent: String?, phone: String? = nil, email: String? = nil) -> ResponseDraft {
        var draft = ResponseDraft(id: "r1", centre: "C01", channel: "kiosk", submittedAt: "2026-12-01T10:00:00+03:00", ratings: ["2", "3", nil, nil])
        draft.contactConsent = consent
        draft.contactPhone = phone
        draft.contactEmail = email
        return draft
    }

    func validate(_ draft: ResponseDraft) -> Result<SurveyResponse, ProblemList> {
        ResponseValidator().validate(draft, now: Self.now)
    }

    @Test func contactIsOptionalAndReadWhenGiven() throws {
        #expect(try validate(Self.draft(consent: nil)).get().contact == nil)
        #expect(try validate(Self.draft(consent: "false")).get().contact == nil)
        #expect(try validate(Self.draft(consent: "true", phone: "+973 3333-4444")).get().contact == FollowUpContact(phone: "+97333334444"))
        // Arabic-Indic digits, as an Arabic keyboard types them.
        #expect(try validate(Self.draft(consent: "yes", phone: "٣٣٣٣ ٤٤٤٤")).get().contact == FollowUpContact(phone: "33334444"))
        #expect(try validate(Self.draft(consent: "1", email: " Sara@Example.BH ")).get().contact == FollowUpContact(email: "Sara@example.bh"))
    }

    @Test func halfGivenContactIsRefusedWithItsField() {
        func fields(_ draft: ResponseDraft) -> [String?] {
            guard case .failure(let list) = validate(draft) else { return [] }
            return list.problems.map(\.field)
        }
        #expect(fields(Self.draft(consent: nil, phone: "33334444")) == ["contact_consent"])
        #expect(fields(Self.draft(consent: "true")) == ["contact_phone"])
        #expect(fields(Self.draft(consent: "maybe")) == ["contact_consent"])
        #expect(fields(Self.draft(consent: "true", phone: "123")) == ["contact_phone"])
        #expect(fields(Self.draft(consent: "true", phone: "3333<script>")) == ["contact_phone"])
        #expect(fields(Self.draft(consent: "true", email: "no-at-sign")) == ["contact_email"])
        #expect(fields(Self.draft(consent: "true", email: "a@b")) == ["contact_email"])
        #expect(fields(Self.draft(consent: "true", email: "a b@example.bh")) == ["contact_email"])
        #expect(fields(Self.draft(consent: "true", email: "\"<x>\"@example.bh")) == ["contact_email"])
    }
}
