import Crypto
import Foundation
import Logging
import RidaStore
import RidaSurvey

/// A row that was not stored, with every reason why: what `--rejects FILE` writes out for correction.
public struct RejectedRow: Sendable, Hashable {
    public var line: Int
    public var problems: [Problem]
    /// The row as it was in the file: its values by source column (CSV) or its original text (JSON Lines).
    public var original: [String?]
}

/// A stored id that came again with other content.
public struct ConflictRow: Sendable, Hashable {
    public var line: Int
    public var id: String
    public var fields: [String]
}

/// What importing one file did.
public struct ImportSummary: Sendable {
    public var file: String
    public var format: ImportFormat
    public var sha256: String
    public var importID: Int64
    public var tally: SaveTally
    public var rejected: [RejectedRow]
    public var conflicts: [ConflictRow]
    /// Source columns nothing read.
    public var ignoredColumns: [String]
    /// Evidence imports: records already stored that this file replaced with newer content (counted as accepted too).
    public var updated = 0
    /// Customers-served imports: how many counts replaced one stored earlier for the same centre, channel and quarter
    /// (the rest were new); nil for the other kinds.
    public var replaced: Int?
    /// The source's header (CSV) or nil (JSON Lines), for writing rejects back in the same shape.
    public var header: [String]?
}

/// Progress of a long import, reported after each batch.
public struct ImportProgress: Sendable {
    public var file: String
    public var fraction: Double
    public var rows: Int
    public var tally: SaveTally
}

/// Reads response files (canonical CSV, JSON Lines, or any export through a mapping) into the store,
/// in batched transactions: a crash loses at most the batch under way, never half a response.
public struct Importer: Sendable {
    /// Responses and import records go through `ResponseStore`.
    public var store: any ResponseStore
    /// Tawasul and contact records go through `AssessmentStore`: nil for an importer of responses only.
    public var evidenceStore: (any AssessmentStore)?
    /// Counts of customers served go through `ServedStore`: nil for an importer that does not import them.
    public var servedStore: (any ServedStore)?
    public var validator: ResponseValidator
    public var batchSize: Int
    public var logger: Logger
    /// The centres a response may name, when the registry has some and new ones are not to be registered
    /// (`rida import` without `--register-centres`); nil: any centre, registered when first seen.
    public var knownCentres: Set<String>?

    /// Rows per transaction by default: large enough that the random-key index's pages are written once
    /// per many rows, small enough that a crash loses little work (re-running the import finishes it).
    public static let defaultBatchSize = 50_000

    public init(store: any ResponseStore & AssessmentStore, validator: ResponseValidator, batchSize: Int = Importer.defaultBatchSize, logger: Logger) {
        self.init(responses: store, validator: validator, batchSize: batchSize, logger: logger)
        evidenceStore = store
    }

    /// An importer of responses only (`importFile`, `importData`), into a store that need not keep assessments'
    /// evidence: `importEvidence` is a programming error on it.
    public init(responses store: any ResponseStore, validator: ResponseValidator, batchSize: Int = Importer.defaultBatchSize, logger: Logger) {
        self.store = store
        self.validator = validator
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Imports the file at `path`. `now` bounds submitted_at and stamps the import record.
    /// With `checkOnly`, every row is read and validated but nothing is stored or recorded.
    public func importFile(
        at path: String, mapping: ImportMapping? = nil, mappingName: String? = nil, now: Instant, checkOnly: Bool = false,
        progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportSummary {
        let (name, data) = try Self.read(path)
        return try await importData(data, name: name, path: path, mapping: mapping, mappingName: mappingName, now: now,
                                    checkOnly: checkOnly, progress: progress)
    }

    /// Imports `data`, recorded under the source name `name`.
    public func importData(
        _ data: Data, name: String, path: String? = nil, mapping: ImportMapping? = nil, mappingName: String? = nil,
        now: Instant, checkOnly: Bool = false, progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportSummary {
        let label = path ?? name
        let opening: () throws(ImportError) -> (ImportFormat, String, any RowStream) = {
            try self.rows(of: data, name: name, label: label, mapping: mapping, fields: FieldSet.responses)
        }
        let (format, digest, opened) = try await refusing(data, name: name, kind: "responses", mappingName: mappingName, now: now,
                                                          record: !checkOnly, opening)
        var rows = opened

        let importID = checkOnly ? 0 : try await store.beginImport(
            kind: "responses", source: name, sha256: digest, byteCount: Int64(data.count), mapping: mappingName, at: now)
        logger.info("import started", metadata: ["import.id": "\(importID)", "import.source": "\(name)", "import.sha256": "\(digest)"])

        var summary = ImportSummary(
            file: label, format: format, sha256: digest, importID: importID, tally: SaveTally(),
            rejected: [], conflicts: [], ignoredColumns: rows.ignoredColumns, header: rows.header)
        var batch: [SurveyResponse] = []
        var batchLines: [Int] = []
        var batchRejected = 0
        var seenDerived: [String: Int] = [:]
        var rowCount = 0
        batch.reserveCapacity(batchSize)

        // Reading and validating the next batch overlaps the writing of the one before: the writer is
        // SQLite's single connection on its own thread, so two cores are busy. Batches are written in order,
        // one at a time.
        var pending: (task: Task<[SaveOutcome], any Error>, batch: [SurveyResponse], lines: [Int], rejected: Int)?

        func settle() async throws {
            guard let (task, saved, lines, rejected) = pending else { return }
            pending = nil
            let outcomes = try await task.value
            summary.tally.rejected += rejected
            for (i, outcome) in outcomes.enumerated() {
                summary.tally.add(outcome)
                if case .conflict(let fields) = outcome {
                    summary.conflicts.append(ConflictRow(line: lines[i], id: saved[i].id, fields: fields))
                }
            }
            progress?(ImportProgress(file: label, fraction: rows.progress, rows: rowCount, tally: summary.tally))
        }

        func flush() async throws {
            // Prepared here, on the reading side, while the writer still stores the batch before: the writer only
            // binds, steps and adds counts, and the preparation is never on its path.
            let prepared = checkOnly ? nil : PreparedBatch(batch, zone: validator.zone)
            try await settle()
            let store = self.store
            let toSave = batch
            let rejected = batchRejected
            let task = Task {
                // A check stores nothing: every valid row counts as one that would be accepted.
                guard let prepared else { return [SaveOutcome](repeating: .created, count: toSave.count) }
                return try await store.save(prepared, receivedAt: now, importID: importID, rejected: rejected)
            }
            pending = (task, toSave, batchLines, rejected)
            batch = []
            batch.reserveCapacity(batchSize)
            batchLines = []
            batchRejected = 0
        }

        do {
            while let row = rows.next() {
                rowCount += 1
                var problems = row.problems
                var draft = ResponseDraft()
                if problems.isEmpty {
                    let made = rows.plan.draft(row.values, line: row.line)
                    draft = made.0
                    problems = made.1
                }
                if problems.isEmpty, draft.id == nil {
                    draft.id = Self.derivedID(row.values, seen: &seenDerived)
                }
                if problems.isEmpty {
                    switch validator.validate(draft, now: now, line: row.line) {
                    case .success(let response):
                        if let knownCentres, !knownCentres.contains(response.centre) {
                            problems = [Self.unknownCentre(response.centre, line: row.line, known: knownCentres)]
                            break
                        }
                        batch.append(response)
                        batchLines.append(row.line)
                    case .failure(let list):
                        problems = list.problems
                    }
                }
                if !problems.isEmpty {
                    batchRejected += 1
                    summary.rejected.append(RejectedRow(line: row.line, problems: problems, original: row.original))
                }
                if batch.count >= batchSize { try await flush() }
            }
            try await flush()
            try await settle()
        } catch {
            if let pending { _ = try? await pending.task.value }
            if !checkOnly { try? await store.finishImport(importID, failed: true, at: now) }
            throw error
        }
        if !checkOnly { try await store.finishImport(importID, at: now) }
        logger.info("import finished", metadata: [
            "import.id": "\(importID)", "import.accepted": "\(summary.tally.accepted)",
            "import.duplicates": "\(summary.tally.duplicates)", "import.conflicts": "\(summary.tally.conflicts)",
            "import.rejected": "\(summary.tally.rejected)",
        ])
        return summary
    }

    /// The name and bytes of the file at `path`, or why it cannot be read.
    static func read(_ path: String) throws(ImportError) -> (String, Data) {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw ImportError.unreadable(file: path, reason: !exists ? "there is no such file" : isDirectory.boolValue ? "it is a folder" : "permission denied")
        }
        return ((path as NSString).lastPathComponent, data)
    }

    /// Checks that `data` is text (or a workbook), and opens its rows as records of `fields`: its format, its SHA-256, its rows.
    /// A dateFormat that misreads the file's dates refuses it here, before anything is stored.
    func rows(of data: Data, name: String, label: String, mapping: ImportMapping?, fields: FieldSet) throws(ImportError)
        -> (ImportFormat, String, any RowStream)
    {
        let bytes = [UInt8](data)
        let format = mapping?.format ?? Self.sniff(bytes, name: name)
        let digest = sha256Hex(data)
        let stream: any RowStream
        switch format {
        case .xlsx:
            stream = try XLSXRows(data: data, mapping: mapping, fields: fields, zone: validator.zone, file: label)
        case .csv:
            try checkText(bytes, file: label)
            stream = try CSVRows(bytes: bytes, delimiter: mapping?.delimiter?.utf8.first, mapping: mapping, fields: fields,
                                 zone: validator.zone, file: label)
        case .jsonl:
            try checkText(bytes, file: label)
            stream = JSONLinesRows(bytes: bytes, mapping: mapping, fields: fields, zone: validator.zone, file: label)
        }
        try checkDateOrder(stream, file: label)
        return (format, digest, stream)
    }

    /// Runs `open`; when it refuses the file whole, records the refusal (name, SHA-256, why) unless `record` is false,
    /// then throws it on. A file that cannot be read at all (no such file) leaves no record: there is nothing to name.
    func refusing<T>(_ data: Data, name: String, kind: String, mappingName: String?, now: Instant, record: Bool,
                     _ open: () throws(ImportError) -> T) async throws -> T {
        do {
            return try open()
        } catch {
            if record {
                do {
                    try await store.recordRefusedImport(kind: kind, source: name, sha256: sha256Hex(data), byteCount: Int64(data.count),
                                                        mapping: mappingName, reason: error.description, at: now)
                } catch let storeError {
                    logger.warning("the refusal could not be recorded", metadata: ["import.source": "\(name)", "error": "\(storeError)"])
                }
            }
            throw error
        }
    }

    /// The problem of a response naming a centre the registry does not have, with the closest registered id.
    static func unknownCentre(_ centre: String, line: Int, known: Set<String>) -> Problem {
        let hint = closest(to: centre, among: known.sorted()).map { "did you mean \($0)? " } ?? ""
        return Problem(line: line, field: "centre", reason: "\(centre): unknown centre; \(hint)"
            + "register it first (rida centres add \(centre)) or import with --register-centres")
    }

    /// An id for a row that has none, derived from the row's content, so that importing the same
    /// file again finds duplicates instead of counting twice. Identical rows in one file are told
    /// apart by their order of appearance.
    static func derivedID(_ values: [String?], seen: inout [String: Int]) -> String {
        var hasher = SHA256()
        for (index, value) in values.enumerated() where index < ResponseDraft.originalFieldCount || value != nil {
            hasher.update(data: Data((value ?? "").utf8))
            hasher.update(data: Data([0x1F]))
        }
        let base = hasher.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
        let occurrence = seen[base, default: 0]
        seen[base] = occurrence + 1
        return occurrence == 0 ? "row-\(base)" : "row-\(base)-\(occurrence + 1)"
    }

    static func sniff(_ bytes: [UInt8], name: String) -> ImportFormat {
        let lower = name.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".xlsx") || bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i < bytes.count && bytes[i] == UInt8(ascii: "{") ? .jsonl : .csv
    }

    /// Refuses files that are not UTF-8 text, with the reason, before anything is recorded.
    func checkText(_ bytes: [UInt8], file: String) throws(ImportError) {
        if bytes.isEmpty || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) || bytes == [0xEF, 0xBB, 0xBF] {
            throw .empty(file: file)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw .notUTF8(file: file, encoding: "UTF-16")
        }
        let sample = bytes.prefix(65_536)
        if sample.contains(0) { throw .notText(file: file) }
        // Validate the sample, forgiving a sequence cut at its end.
        var end = sample.count
        if end == 65_536 {
            var back = 0
            while back < 4, end > 0, sample[end - 1] & 0xC0 == 0x80 { end -= 1; back += 1 }
            if end > 0, sample[end - 1] >= 0xC0 { end -= 1 }
        }
        if String(validating: sample.prefix(end), as: UTF8.self) == nil {
            throw .notUTF8(file: file, encoding: "Windows-1256 or another legacy code page")
        }
    }
}

/// The SHA-256 of `data`, lower-case hex.
func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
