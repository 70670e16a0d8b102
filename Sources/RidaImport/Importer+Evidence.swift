import Foundation
import RidaAssessment
import RidaStore
import RidaSurvey

extension Importer {
    /// Imports an evidence file (Tawasul complaints or contact-centre records), canonical or through a mapping,
    /// with the same reading, mapping, batching and bookkeeping as responses. The import is recorded with the
    /// file's SHA-256 under the kind's name (`tawasul`, `contacts`), and the verdicts it feeds refer to it.
    public func importEvidence(
        _ kind: EvidenceKind, at path: String, mapping: ImportMapping? = nil, mappingName: String? = nil, now: Instant
    ) async throws -> ImportSummary {
        let (name, data) = try Self.read(path)
        return try await importEvidence(kind, data: data, name: name, path: path, mapping: mapping, mappingName: mappingName, now: now)
    }

    /// Imports evidence from `data`, recorded under the source name `name`.
    public func importEvidence(
        _ kind: EvidenceKind, data: Data, name: String, path: String? = nil, mapping: ImportMapping? = nil,
        mappingName: String? = nil, now: Instant
    ) async throws -> ImportSummary {
        let checker = EvidenceValidator(zone: validator.zone)
        guard let store = evidenceStore else {
            preconditionFailure("importEvidence on an importer of responses only: make it with init(store:) over an AssessmentStore")
        }
        switch kind {
        case .tawasul:
            return try await importRecords(
                kind, data: data, name: name, path: path, mapping: mapping, mappingName: mappingName, now: now,
                validate: { checker.tawasul($0, now: now, line: $1) },
                save: { try await store.save($0, importID: $1, rejected: $2) })
        case .contacts:
            return try await importRecords(
                kind, data: data, name: name, path: path, mapping: mapping, mappingName: mappingName, now: now,
                validate: { checker.contact($0, now: now, line: $1) },
                save: { try await store.save($0, importID: $1, rejected: $2) })
        }
    }

    private func importRecords<Record: Sendable>(
        _ kind: EvidenceKind, data: Data, name: String, path: String?, mapping: ImportMapping?, mappingName: String?, now: Instant,
        validate: (EvidenceDraft, Int) -> Result<Record, ProblemList>,
        save: ([Record], Int64, Int) async throws -> [EvidenceOutcome]
    ) async throws -> ImportSummary {
        let label = path ?? name
        let opening: () throws(ImportError) -> (ImportFormat, String, any RowStream) = {
            try self.rows(of: data, name: name, label: label, mapping: mapping, fields: FieldSet.evidence(kind))
        }
        let (format, digest, opened) = try await refusing(data, name: name, kind: kind.rawValue, mappingName: mappingName, now: now,
                                                          record: true, opening)
        var rows = opened
        let importID = try await store.beginImport(
            kind: kind.rawValue, source: name, sha256: digest, byteCount: Int64(data.count), mapping: mappingName, at: now)
        logger.info("import started", metadata: ["import.id": "\(importID)", "import.kind": "\(kind.rawValue)", "import.sha256": "\(digest)"])
        var summary = ImportSummary(
            file: label, format: format, sha256: digest, importID: importID, tally: SaveTally(),
            rejected: [], conflicts: [], ignoredColumns: rows.ignoredColumns, header: rows.header)
        var batch: [Record] = []
        var batchRejected = 0

        func flush() async throws {
            let outcomes = try await save(batch, importID, batchRejected)
            summary.tally.rejected += batchRejected
            for outcome in outcomes {
                switch outcome {
                case .created: summary.tally.accepted += 1
                case .updated: summary.tally.accepted += 1; summary.updated += 1
                case .unchanged: summary.tally.duplicates += 1
                }
            }
            batch.removeAll(keepingCapacity: true)
            batchRejected = 0
        }

        do {
            while let row = rows.next() {
                var problems = row.problems
                if problems.isEmpty {
                    let (draft, found): (EvidenceDraft, [Problem]) = rows.plan.record(row.values, line: row.line)
                    problems = found
                    if problems.isEmpty {
                        switch validate(draft, row.line) {
                        case .success(let record): batch.append(record)
                        case .failure(let list): problems = list.problems
                        }
                    }
                }
                if !problems.isEmpty {
                    batchRejected += 1
                    summary.rejected.append(RejectedRow(line: row.line, problems: problems, original: row.original))
                }
                if batch.count >= batchSize { try await flush() }
            }
            try await flush()
        } catch {
            try? await store.finishImport(importID, failed: true, at: now)
            throw error
        }
        try await store.finishImport(importID, at: now)
        logger.info("import finished", metadata: [
            "import.id": "\(importID)", "import.accepted": "\(summary.tally.accepted)", "import.updated": "\(summary.updated)",
            "import.duplicates": "\(summary.tally.duplicates)", "import.rejected": "\(summary.tally.rejected)",
        ])
        return summary
    }
}

/// A file given as evidence for a verdict: its name, SHA-256 and size, so the verdict keeps pointing at those exact bytes.
public enum EvidenceFile {
    public static func reference(_ path: String) throws(ImportError) -> EvidenceReference {
        let (name, data) = try Importer.read(path)
        return .file(name: name, sha256: sha256Hex(data), byteCount: Int64(data.count))
    }
}
