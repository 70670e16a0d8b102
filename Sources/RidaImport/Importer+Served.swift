import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey

extension Importer {
    /// Imports a file of customers served (`centre,channel,quarter,customers`, CSV with its delimiter sniffed, or a
    /// workbook), recorded under the kind `served`. Every row is checked first, each bad one named with its line and
    /// field; the valid counts are then stored in one transaction (a failure stores none of them), each replacing the
    /// count stored for its centre, channel and quarter.
    public func importServed(at path: String, now: Instant) async throws -> ImportSummary {
        let (name, data) = try Self.read(path)
        return try await importServed(data: data, name: name, path: path, now: now)
    }

    /// Imports customers served from `data`, recorded under the source name `name`.
    public func importServed(data: Data, name: String, path: String? = nil, now: Instant) async throws -> ImportSummary {
        guard let store = servedStore else {
            preconditionFailure("importServed on an importer without a ServedStore: set servedStore first")
        }
        let label = path ?? name
        let opening: () throws(ImportError) -> (ImportFormat, String, any RowStream) = {
            try self.rows(of: data, name: name, label: label, mapping: nil, fields: FieldSet.served)
        }
        let (format, digest, opened) = try await refusing(data, name: name, kind: FieldSet.served.kind, mappingName: nil, now: now,
                                                          record: true, opening)
        var rows = opened
        var summary = ImportSummary(
            file: label, format: format, sha256: digest, importID: 0, tally: SaveTally(),
            rejected: [], conflicts: [], ignoredColumns: rows.ignoredColumns, header: rows.header)
        var counts: [ServedCount] = []
        var seen: [String: Int] = [:]
        while let row = rows.next() {
            var problems = row.problems
            if problems.isEmpty {
                let (draft, found): (EvidenceDraft, [Problem]) = rows.plan.record(row.values, line: row.line)
                problems = found
                if problems.isEmpty {
                    switch servedCount(draft, line: row.line) {
                    case .success(let count):
                        let key = "\(count.centre)\u{1F}\(count.channel)\u{1F}\(count.quarter)"
                        if let first = seen[key] {
                            problems = [Problem(line: row.line, field: "quarter", reason: "\(count.centre), \(count.channel) and \(count.quarter) "
                                + "were already counted on line \(first): give each centre, channel and quarter once")]
                        } else {
                            seen[key] = row.line
                            counts.append(count)
                        }
                    case .failure(let list):
                        problems = list.problems
                    }
                }
            }
            if !problems.isEmpty {
                summary.rejected.append(RejectedRow(line: row.line, problems: problems, original: row.original))
            }
        }
        let importID = try await self.store.beginImport(
            kind: FieldSet.served.kind, source: name, sha256: digest, byteCount: Int64(data.count), mapping: nil, at: now)
        summary.importID = importID
        logger.info("import started", metadata: ["import.id": "\(importID)", "import.kind": "served", "import.sha256": "\(digest)"])
        do {
            let (_, replaced) = try await store.saveServed(counts, importID: importID, rejected: summary.rejected.count, at: now)
            summary.tally.accepted = counts.count
            summary.tally.rejected = summary.rejected.count
            summary.replaced = replaced
        } catch {
            try? await self.store.finishImport(importID, failed: true, at: now)
            throw error
        }
        try await self.store.finishImport(importID, at: now)
        logger.info("import finished", metadata: [
            "import.id": "\(importID)", "import.accepted": "\(counts.count)", "import.replaced": "\(summary.replaced ?? 0)",
            "import.rejected": "\(summary.rejected.count)",
        ])
        return summary
    }

    /// A row's count, or every problem of it: the centre an identifier, the channel one of the deployment's, the quarter
    /// `YYYY-Qn`, the customers a whole number of 0 or more.
    func servedCount(_ draft: EvidenceDraft, line: Int) -> Result<ServedCount, ProblemList> {
        var problems: [Problem] = []
        func text(_ field: String) -> String? {
            guard let value = draft[field]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                problems.append(Problem(line: line, field: field, reason: "is missing"))
                return nil
            }
            return value
        }
        var centre: String?
        do {
            centre = try Identifier.normalized(draft["centre"], field: "centre")
            if centre == nil { problems.append(Problem(line: line, field: "centre", reason: "is missing")) }
        } catch {
            problems.append(Problem(line: line, field: "centre", reason: error.reason))
        }
        var channel: String?
        do {
            channel = try Identifier.normalized(draft["channel"], field: "channel", spaces: .none)
            if let id = channel, validator.channels.channel(id) == nil {
                let known = validator.channels.channels.map(\.id).joined(separator: ", ")
                problems.append(Problem(line: line, field: "channel", reason: "\"\(id)\" is not one of the deployment's channels (\(known))"))
                channel = nil
            } else if channel == nil {
                problems.append(Problem(line: line, field: "channel", reason: "is missing"))
            }
        } catch {
            problems.append(Problem(line: line, field: "channel", reason: error.reason))
        }
        var quarter: Quarter?
        if let value = text("quarter") {
            quarter = Quarter(value)
            if quarter == nil { problems.append(Problem(line: line, field: "quarter", reason: Quarter.spellingProblem(value))) }
        }
        var customers: Int?
        if let value = text("customers") {
            if value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), value.utf8.count <= 12, let number = Int(value) {
                customers = number
            } else {
                problems.append(Problem(line: line, field: "customers", reason: "\"\(value)\" is not a whole number of 0 or more (digits only, no separators)"))
            }
        }
        guard problems.isEmpty, let centre, let channel, let quarter, let customers else { return .failure(ProblemList(problems)) }
        return .success(ServedCount(centre: centre, channel: channel, quarter: quarter, customers: customers))
    }
}
