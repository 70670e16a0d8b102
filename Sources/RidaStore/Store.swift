import RidaAggregation
import RidaAssessment
import RidaSurvey

// The store behind protocols, by capability. A use case depends on the capabilities it needs (or on `RidaStorage`,
// all of them); `SQLiteStore` is the first implementation, and a second one (PostgreSQL, issue 14) implements the same
// requirements and runs the same tests (`StoreKind` in RidaTesting, the suites parameterised over it).
//
// Every requirement is `Sendable` and speaks only Rida's value types: no GRDB type appears in one (this file imports
// no GRDB, so none can; keep it so). The method names
// and signatures are `SQLiteStore`'s; a requirement cannot have default arguments, so the extensions below add the
// short forms callers use.
//
// Outside the protocols, on `SQLiteStore` only, because they are about one SQLite file: opening a path (and keeping
// the `.before-<migration>` copy when upgrading), `upgrade`, `backup(to:)` and the static `backup(databaseAt:to:)`,
// `inspectBackup(at:)`, `restore(from:to:force:at:)`, `isOpenElsewhere(_:)`, `repairRollups()`
// (a recount of SQLite's tables), `synchronousSetting()`, `close()` (checkpoint of the WAL),
// `freeBytes()` (the disk holding the file), `holdsOnlyDemoData()` (a
// synchronous read for `rida demo`), and `GroupCommitWriter`, which batches posts into one SQLite transaction.

/// Responses and what is counted from them: saving (duplicates and conflicts decided here), the quarterly and day
/// rollups, the reads a report makes, survey definitions and the bookkeeping of imports.
public protocol ResponseStore: Sendable {
    /// Stores `responses` in one transaction with their rollups: all of them or none. A response whose id is stored
    /// already is a duplicate (same content) or a conflict (other content); neither is counted again, the first stays.
    /// With `importID`, the import's counts (and `rejected`) grow in the same transaction.
    func save(_ responses: [SurveyResponse], receivedAt: Instant, importID: Int64?, rejected: Int) async throws -> [SaveOutcome]
    /// Stores a batch prepared beforehand, as `save(_:receivedAt:importID:rejected:)` does. An implementation that
    /// has no use for the preparation stores `batch.responses`.
    func save(_ batch: PreparedBatch, receivedAt: Instant, importID: Int64?, rejected: Int) async throws -> [SaveOutcome]
    /// The stored response with `id`.
    func response(id: String) async throws -> SurveyResponse?
    /// How many responses are stored.
    func responseCount() async throws -> Int
    /// Records a definition a centre wrote, so responses can answer it.
    func registerSurvey(_ questionnaire: Questionnaire, definition: String) async throws

    /// The rollup counts of each group (centre × channel) in each of `quarters`.
    func counts(for quarters: [Quarter]) async throws -> [Quarter: [GroupKey: Counts]]
    /// The quarters that have responses, oldest first.
    func quartersWithResponses() async throws -> [Quarter]
    /// The quarterly report of `scope`, read from the rollups.
    func quarterlyReport(_ scope: ReportScope, policy: ThresholdPolicy, channels: ChannelCatalog) async throws -> QuarterlyReport
    /// The counts of `centre` per channel over the local days `from...through` (the live display's day rollups).
    func dayCounts(centre: String, from: CivilDate, through: CivilDate) async throws -> [String: Counts]
    /// The quarterly rollup counts of `centre` per channel in `quarter`.
    func quarterCounts(centre: String, quarter: Quarter) async throws -> [String: Counts]

    /// What `centre`, `entity` or neither (every centre) is, from the registry.
    func reportSubject(centre: String?, entity: String?) async throws -> ReportSubject
    /// What a saved report's scope is: `all`, an entity, or else a centre.
    func reportSubject(scope: String) async throws -> ReportSubject
    /// Everything a rendered report shows, read at once (one transaction): figures, trends, breakdowns, comments.
    func reportSnapshot(
        subject: ReportSubject, quarter: Quarter, channel: String?, policy: ThresholdPolicy, channels: ChannelCatalog,
        at now: Instant, commentLimit: Int
    ) async throws -> ReportSnapshot

    /// Starts the record of an import and returns its id.
    func beginImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?, at time: Instant) async throws -> Int64
    /// Marks an import finished (or failed).
    func finishImport(_ id: Int64, failed: Bool, at time: Instant) async throws
    /// Records a file refused whole (nothing of it stored), with the sentence that said why.
    @discardableResult
    func recordRefusedImport(kind: String, source: String, sha256: String, byteCount: Int64, mapping: String?,
                             reason: String, at time: Instant) async throws -> Int64
    /// Every import, oldest first.
    func imports() async throws -> [ImportRecord]
}

/// The centre registry: entities, centres (who runs them, their units, the guide's exclusions) and their change log.
public protocol RegistryStore: Sendable {
    func saveEntity(_ entity: Entity) async throws
    func saveCentre(_ centre: Centre, at time: Instant) async throws
    /// Saves centres and entities in one transaction: all of them or none.
    func saveCentres(_ centres: [Centre], entities: [Entity], at time: Instant) async throws
    /// A centre's registry entries, oldest first.
    func centreHistory(_ id: String) async throws -> [(at: Instant, centre: Centre)]
    func entities() async throws -> [Entity]
    func centres() async throws -> [Centre]
    func centre(_ id: String) async throws -> Centre?
    func entity(_ id: String) async throws -> Entity?
}

/// Assessments and what they rest on: opening and closing one, the append-only verdict history and descriptions,
/// the data the rules decide from, and the evidence imported or recorded for them (Tawasul complaints, contact
/// records, reply scores, the days the live display was served).
public protocol AssessmentStore: Sendable {
    func openAssessment(_ assessment: Assessment) async throws
    func assessment(_ id: String) async throws -> Assessment?
    func assessments() async throws -> [Assessment]
    /// Closes an assessment, freezing the verdicts computed from the data, and returns its sheet.
    @discardableResult
    func closeAssessment(_ id: String, by who: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue) async throws -> AssessmentSheet
    @discardableResult
    func recordDescriptions(_ entries: [DescriptionEntry]) async throws -> [DescriptionEntry]
    func descriptions(of assessment: String) async throws -> [DescriptionEntry]
    /// Appends verdicts to the history after the batch check, the only place it runs: all of them or none. `positions`
    /// and `unread` are for a batch read in part: each entry's position in the batch as sent, and the problems of the
    /// entries that could not be read, refused with the check's.
    @discardableResult
    func record(_ entries: [HistoryEntry], positions: [Int]?, unread: [Problem], catalogue: Catalogue,
                computed: [String: [String: Verdict]]) async throws -> [HistoryEntry]
    func history(of assessment: String) async throws -> [HistoryEntry]
    func assessmentData(for assessment: Assessment, policy: ThresholdPolicy, now: Instant) async throws -> AssessmentData
    func computedVerdicts(of id: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue) async throws -> [String: [String: Verdict]]
    func assessmentSheet(_ id: String, policy: ThresholdPolicy, now: Instant, catalogue: Catalogue) async throws -> AssessmentSheet

    func save(_ complaints: [TawasulComplaint], importID: Int64?, rejected: Int) async throws -> [EvidenceOutcome]
    func save(_ contacts: [ContactRecord], importID: Int64?, rejected: Int) async throws -> [EvidenceOutcome]
    func complaints(entity: String) async throws -> [TawasulComplaint]
    func contacts(entity: String) async throws -> [ContactRecord]
    func recordLiveDisplayServed(centre: String, at time: Instant) async throws
    func liveDisplayDays(centre: String) async throws -> [CivilDate]
    @discardableResult
    func saveReplyScore(_ score: ReplyScore) async throws -> Int64
    func replyScores(entity: String?) async throws -> [ReplyScore]
}

/// Saved reports: their life (draft, submitted, published, corrected), frozen content and page, improvement actions
/// and their statuses, and the reasons a customer declined to answer.
public protocol SavedReportStore: Sendable {
    func saveReport(scope: String, quarter: Quarter, by who: String, at time: Instant, content: ReportContent?,
                    replaces: Int64?) async throws -> SavedReport
    func refreshReport(_ id: Int64, content: ReportContent) async throws -> SavedReport
    func setReportStatus(_ id: Int64, to status: ReportStatus, at time: Instant) async throws -> SavedReport
    func publishReport(_ id: Int64, content: ReportContent, page: PublishedPage, actions: [Int64], at time: Instant) async throws -> SavedReport
    func savedReportContent(_ id: Int64) async throws -> (content: ReportContent?, page: PublishedPage?)
    func addReportAction(_ action: ReportAction) async throws -> ReportAction
    func setActionStatus(report: Int64, action id: Int64, to status: ReportAction.Status, note: String?, by who: String,
                         at time: Instant) async throws -> ReportAction
    func actionHistory(_ id: Int64) async throws -> [(status: ReportAction.Status, note: String?, who: String, at: Instant)]
    func savedReports(scope: String?, quarter: Quarter?) async throws -> [SavedReport]
    /// The saved report with `id`, or an `AssessmentError` (not found) saying there is none.
    func existingSavedReport(_ id: Int64) async throws -> SavedReport
    func savedReport(_ id: Int64) async throws -> SavedReport?
    func recordDecline(_ decline: DeclineReason) async throws -> DeclineReason
    func declines(scope: String?) async throws -> [DeclineReason]
}

/// The HTTP service's API keys: only a key's SHA-256 is stored.
public protocol KeyStore: Sendable {
    func createKey(_ secret: APIKeySecret, label: String, role: Role, centre: String?, channels: [String]?, at time: Instant) async throws -> APIKey
    func key(hash: String) async throws -> APIKey?
    func keys() async throws -> [APIKey]
    /// Revokes a key; false when there is no such key (or it was revoked already).
    @discardableResult
    func revokeKey(_ id: Int64, at time: Instant) async throws -> Bool
    func recordKeyUse(_ uses: [Int64: Instant]) async throws
}

/// The comments (q7) themselves, for the report's comment themes: the one read that returns comment text.
public protocol CommentStore: Sendable {
    /// Every comment of `scope` (its quarter, its centres or entity's centres, its channel), oldest first by the
    /// submitted time, then in the order stored; each with its local day (never the time) and the response's ratings.
    func comments(in scope: ReportScope) async throws -> [CommentEntry]
}

/// What `/health` and `rida db check` ask of a store, whatever it is.
public protocol StoreHealth: Sendable {
    /// Answers when the database can be read; throws `StoreError` when it cannot (what `/health` asks).
    func ping() async throws
    /// Why the database cannot take writes now, or nil: a write that failed for want of space or permission, a disk
    /// with less than `minimumFreeBytes` left, a server that is a read-only standby. Cheap: `/health` asks it each time.
    func unwritableReason(minimumFreeBytes: Int64) async -> String?
    /// The store's consistency checks: `.quick` is what `/health?deep=1` runs, `.full` adds every rollup recounted.
    func check(_ depth: CheckDepth) async throws -> [CheckProblem]
}

/// Responses committed through any handle on the same database (another `rida serve` instance included), as the
/// database announces them: what keeps a live display on one instance current with submissions through another.
/// A store whose writers are all in one process (SQLite's, behind one writer) has no need of it.
public protocol CommittedCentres: Sendable {
    /// The centres whose responses were committed, in the order announced; `.all` when the announcement was too large
    /// to name them or some may have been missed (after a reconnection). Ends when the store closes or the task is
    /// cancelled; reconnects by itself while it runs.
    func committedCentres() -> AsyncStream<CentresChanged>
}

/// Which centres' figures changed.
public enum CentresChanged: Sendable, Hashable {
    case centres(Set<String>)
    case all
}

/// A copy of a whole store into another (`rida db copy`, the use case `CopyDatabase`): each store reads its tables
/// from one unchanging snapshot and writes them in one transaction, row by row as typed values, whatever the store.
/// Tables and columns are named as the store's schema names them (PostgreSQL folds them to lower case; match names
/// ignoring case). The bookkeeping of migrations (`grdb_migrations`, `sqlite_sequence`, `rida_migrations`) is not
/// data and is never listed: the destination is migrated by opening it.
public protocol StoreCopying: Sendable {
    /// The tables holding Rida's data, as this store's schema lists them now (not from a list of its own): what a copy
    /// must know every one of.
    func storedTables() async throws -> [String]
    /// Runs `body` with a reader of one unchanging snapshot of the store: what it reads agrees, however long it takes
    /// and whatever is written meanwhile.
    func readingSnapshot<T: Sendable>(_ body: @escaping @Sendable (any CopyReading) async throws -> T) async throws -> T
    /// Runs `body` with a writer in one transaction: committed when `body` returns, rolled back (nothing stored) when it
    /// throws. The writer reads what it wrote, inside the transaction, so a copy is verified before it is committed.
    /// Before committing, identity sequences are moved past the highest id written, so later inserts do not collide.
    func writingTransaction<T: Sendable>(_ body: @escaping @Sendable (any CopyWriting) async throws -> T) async throws -> T
}

/// One value of one column of a row, as a copy carries it between stores: both stores keep each of Rida's values as
/// one of these (instants, days and quarters are text in both; JSON is text; numbers are integers).
public enum CopyValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
}

/// Reading tables for a copy, on one snapshot (`StoreCopying.readingSnapshot`).
public protocol CopyReading: Sendable {
    /// The columns of `table`, in the schema's order (a SQLite `response` row's rowid is the column `seq`, as
    /// PostgreSQL's `response` keeps it, since the reports' comments point to it).
    func columns(of table: String) async throws -> [String]
    /// How many rows `table` holds.
    func rowCount(of table: String) async throws -> Int
    /// Every row of `table`, its values in the order of `columns`, handed to `body` in batches of at most `batchSize`,
    /// in the order of the table's key (a row referring to another row of its table comes after it).
    func rows(of table: String, columns: [String], batchSize: Int, _ body: ([[CopyValue]]) async throws -> Void) async throws
}

/// Writing tables for a copy, in one transaction (`StoreCopying.writingTransaction`); it reads what it wrote.
public protocol CopyWriting: CopyReading {
    /// Inserts `rows` (values in the order of `columns`) into `table`, keeping every value as given, ids included.
    func insert(_ rows: [[CopyValue]], into table: String, columns: [String]) async throws
    /// The store's full consistency check (`StoreHealth.check(.full)`) of the data as it stands inside the transaction.
    func check() async throws -> [CheckProblem]
}

/// The responses the misuse rules set aside (issue 16, point 2). `ResponseStore.save` runs the rules of the store's
/// `MisusePolicy` in the transaction that stores a device's responses: a response flagged is kept, marked with its rule,
/// and taken out of the rollups and the reports' comments (those already counted are subtracted), so the rollups stay
/// equal to a recount of the responses counted. Flags are only ever added, except by a reinstatement, which is final.
public protocol MisuseStore: Sendable {
    /// How many responses of `quarter` are set aside, per centre, channel and rule (`centre` nil: every centre).
    func setAsideCounts(quarter: Quarter, centre: String?) async throws -> [SetAsideCount]
    /// The responses set aside, newest first, at most `limit` (`centre`, `quarter` nil: any).
    func setAsideResponses(centre: String?, quarter: Quarter?, limit: Int) async throws -> [SetAsideResponse]
    /// Counts again the set-aside responses `which` selects, for good (no rule sets them aside again), recording for
    /// each who decided it, why and when; returns the ids reinstated (those selected and set aside), in one transaction.
    func reinstate(_ which: Reinstatement, by who: String, reason: String, at time: Instant) async throws -> [String]
}

/// Everything Rida stores, behind one name: what a use case or a shell that needs all of it depends on.
/// Follow-up cases (issue 16 point 1): `save` opens them in the same transaction as the response that asks for one
/// (`StoreConfiguration.followUp`); the quality team works them; contacts are erased after the retention.
public protocol FollowUpStore: Sendable {
    /// Cases matching `query`, newest first, with their contact details.
    func cases(_ query: CaseQuery) async throws -> [FollowUpCase]
    func followUpCase(_ id: Int64) async throws -> FollowUpCase?
    /// What was done to a case, oldest first.
    func caseEvents(_ id: Int64) async throws -> [CaseEvent]
    /// Applies `change`, recorded with `who`; throws `CaseError` for an unknown case or a move its status does not allow.
    func updateCase(_ id: Int64, _ change: CaseChange, by who: String, at time: Instant) async throws -> FollowUpCase
    /// A quarter's cases per centre and channel, late or not as of `asOf`.
    func caseCounts(quarter: Quarter, centre: String?, asOf: Instant) async throws -> [CaseCount]
    /// Erases the contact details of cases finished before `finishedBefore`; returns how many were erased.
    func eraseContacts(finishedBefore: Instant, at time: Instant) async throws -> Int
}

/// Invitations (issue 15): registered with their token's hash, opened, answered once with the response stored in the
/// same transaction (through `save`, so rollups, misuse rules and follow-up cases apply), counted for response rates.
public protocol InvitationStore: Sendable {
    /// Stores `drafts`, the i-th with `tokenHashes[i]` (`InvitationToken.hash`), by `who` (a key's label), in one transaction.
    func createInvitations(_ drafts: [InvitationDraft], tokenHashes: [String], by who: String?, at time: Instant) async throws -> [Invitation]
    func invitation(tokenHash: String) async throws -> Invitation?
    /// Notes the first opening (an expired or answered invitation is not changed); returns the invitation as it now is.
    func openInvitation(tokenHash: String, at time: Instant) async throws -> Invitation?
    /// Stores `response` as the invitation's answer (its id must be `Invitation.answerID(tokenHash:)`) unless answered
    /// before or expired.
    func answerInvitation(tokenHash: String, response: SurveyResponse, at time: Instant) async throws -> InvitationAnswer
    /// A quarter's invitations (by their registration) per centre and channel.
    func invitationCounts(quarter: Quarter, centre: String?) async throws -> [InvitationCount]
}

/// The customers served per centre, channel and quarter, as an entity imports them (issue 15 point 4): the
/// denominators of the reports' response rates.
public protocol ServedStore: Sendable {
    /// Stores `counts` in one transaction, each replacing the count stored for its centre, channel and quarter, and adds
    /// them (and `rejected`) to import `importID`'s tallies, recorded at `time`; how many were new and how many replaced
    /// an earlier count.
    func saveServed(_ counts: [ServedCount], importID: Int64?, rejected: Int, at time: Instant) async throws -> (created: Int, replaced: Int)
    /// The counts of `quarter` (`centre` nil: every centre), by centre then channel.
    func servedCounts(quarter: Quarter, centre: String?) async throws -> [ServedCount]
}

/// QR signs (issue 15 point 2): one per centre, channel and counter, made when first asked for.
public protocol SignStore: Sendable {
    /// The sign of each `(centre, channel, counter)`, made (with `tokens[i]`) where there is none yet, in one transaction.
    func signs(for wanted: [(centre: String, channel: String, counter: String?)], tokens: [String], at time: Instant) async throws -> [Sign]
    func sign(token: String) async throws -> Sign?
}

/// Survey widgets for websites and apps (issue 15 point 3): publishable keys bound to a centre, channels and origins.
public protocol WidgetStore: Sendable {
    /// Stores a new widget with the publishable key `key` (checked by the caller), at `time`.
    func createWidget(key: String, label: String, centre: String, channels: [String], origins: [String], at time: Instant) async throws -> Widget
    /// The widget with publishable key `key`, revoked or not; nil when there is none.
    func widget(key: String) async throws -> Widget?
    /// Every widget, oldest first.
    func widgets() async throws -> [Widget]
    /// Replaces a widget's origins; nil when there is no such widget.
    func setWidgetOrigins(_ id: Int64, origins: [String]) async throws -> Widget?
    /// Revokes a widget; false when there is no such widget (or it was revoked already).
    func revokeWidget(_ id: Int64, at time: Instant) async throws -> Bool
}

public protocol RidaStorage: ResponseStore, RegistryStore, AssessmentStore, SavedReportStore, KeyStore, StoreHealth,
    CommentStore, MisuseStore, FollowUpStore, InvitationStore, SignStore, ServedStore, WidgetStore {}

// MARK: The short forms (a requirement has no default arguments)

extension ResponseStore {
    public func save(_ responses: [SurveyResponse], receivedAt: Instant, importID: Int64? = nil) async throws -> [SaveOutcome] {
        try await save(responses, receivedAt: receivedAt, importID: importID, rejected: 0)
    }

    public func save(_ batch: PreparedBatch, receivedAt: Instant, importID: Int64? = nil) async throws -> [SaveOutcome] {
        try await save(batch, receivedAt: receivedAt, importID: importID, rejected: 0)
    }

    public func reportSubject(centre: String? = nil) async throws -> ReportSubject {
        try await reportSubject(centre: centre, entity: nil)
    }

    public func reportSubject(entity: String) async throws -> ReportSubject {
        try await reportSubject(centre: nil, entity: entity)
    }

    public func reportSnapshot(
        subject: ReportSubject, quarter: Quarter, channel: String? = nil, policy: ThresholdPolicy, channels: ChannelCatalog,
        at now: Instant
    ) async throws -> ReportSnapshot {
        try await reportSnapshot(subject: subject, quarter: quarter, channel: channel, policy: policy, channels: channels,
                                 at: now, commentLimit: CommentDigest.defaultLimit)
    }

    public func finishImport(_ id: Int64, at time: Instant) async throws {
        try await finishImport(id, failed: false, at: time)
    }
}

extension AssessmentStore {
    @discardableResult
    public func closeAssessment(_ id: String, by who: String, policy: ThresholdPolicy, now: Instant) async throws -> AssessmentSheet {
        try await closeAssessment(id, by: who, policy: policy, now: now, catalogue: .standard)
    }

    @discardableResult
    public func record(_ entries: [HistoryEntry], catalogue: Catalogue = .standard) async throws -> [HistoryEntry] {
        try await record(entries, positions: nil, unread: [], catalogue: catalogue, computed: [:])
    }

    @discardableResult
    public func record(_ entries: [HistoryEntry], computed: [String: [String: Verdict]]) async throws -> [HistoryEntry] {
        try await record(entries, positions: nil, unread: [], catalogue: .standard, computed: computed)
    }

    @discardableResult
    public func record(_ entries: [HistoryEntry], catalogue: Catalogue, computed: [String: [String: Verdict]]) async throws -> [HistoryEntry] {
        try await record(entries, positions: nil, unread: [], catalogue: catalogue, computed: computed)
    }

    @discardableResult
    public func record(_ entries: [HistoryEntry], positions: [Int]?, unread: [Problem],
                       computed: [String: [String: Verdict]]) async throws -> [HistoryEntry] {
        try await record(entries, positions: positions, unread: unread, catalogue: .standard, computed: computed)
    }

    public func computedVerdicts(of id: String, policy: ThresholdPolicy, now: Instant) async throws -> [String: [String: Verdict]] {
        try await computedVerdicts(of: id, policy: policy, now: now, catalogue: .standard)
    }

    public func assessmentSheet(_ id: String, policy: ThresholdPolicy, now: Instant) async throws -> AssessmentSheet {
        try await assessmentSheet(id, policy: policy, now: now, catalogue: .standard)
    }

    public func save(_ complaints: [TawasulComplaint], importID: Int64?) async throws -> [EvidenceOutcome] {
        try await save(complaints, importID: importID, rejected: 0)
    }

    public func save(_ contacts: [ContactRecord], importID: Int64?) async throws -> [EvidenceOutcome] {
        try await save(contacts, importID: importID, rejected: 0)
    }
}

extension SavedReportStore {
    public func saveReport(scope: String, quarter: Quarter, by who: String, at time: Instant, content: ReportContent? = nil) async throws -> SavedReport {
        try await saveReport(scope: scope, quarter: quarter, by: who, at: time, content: content, replaces: nil)
    }

    public func saveReport(scope: String, quarter: Quarter, by who: String, at time: Instant, replaces: Int64?) async throws -> SavedReport {
        try await saveReport(scope: scope, quarter: quarter, by: who, at: time, content: nil, replaces: replaces)
    }

    public func savedReports(scope: String? = nil) async throws -> [SavedReport] {
        try await savedReports(scope: scope, quarter: nil)
    }

    public func savedReports(quarter: Quarter?) async throws -> [SavedReport] {
        try await savedReports(scope: nil, quarter: quarter)
    }
}

extension SQLiteStore: RidaStorage {}
extension SQLiteStore: CommentStore {}
