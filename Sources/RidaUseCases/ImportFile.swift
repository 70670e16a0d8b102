import Foundation
import Logging
import RidaAssessment
import RidaImport
import RidaStore
import RidaSurvey

/// Imports a file from another system: `rida import`. Survey responses (CSV, JSON Lines, an Excel workbook, through a
/// mapping for another system's export), evidence for the assessment (Tawasul complaints, contact-centre records), or
/// the customers served per centre, channel and quarter (the response rates' denominators). Valid rows are stored in
/// batches; every rejected row comes back with its line, field and reason.
///
/// ```swift
/// let summary = try await ImportFile(store: store, validator: validator, logger: logger, now: now)
///     .run("responses.csv", progress: { print($0.fraction) })
/// ```
public struct ImportFile: Sendable {
    /// What a file holds.
    public enum Kind: String, Sendable, CaseIterable {
        case responses, tawasul, contacts, served

        /// The evidence kind, nil for survey responses.
        public var evidence: EvidenceKind? { EvidenceKind(rawValue: rawValue) }
    }

    /// Where responses and evidence are stored: any store, SQLite's or another.
    public let store: any ResponseStore & AssessmentStore & ServedStore
    public let validator: ResponseValidator
    public let logger: Logger
    public let now: @Sendable () -> Instant
    public var kind: Kind = .responses
    /// Another system's columns and labels, and the mapping file's name (recorded with the import).
    public var mapping: (mapping: ImportMapping, name: String)?
    public var batchSize = Importer.defaultBatchSize
    /// Read and validate every row, and store nothing (responses only).
    public var checkOnly = false
    /// When set, a response naming a centre outside it is rejected; nil registers new centres.
    public var knownCentres: Set<String>?

    public init(store: any ResponseStore & AssessmentStore & ServedStore, validator: ResponseValidator, logger: Logger, now: @escaping @Sendable () -> Instant) {
        self.store = store
        self.validator = validator
        self.logger = logger
        self.now = now
    }

    /// Reads a mapping file's `data` (called `name`) for files of `kind`: every problem of it at once, or the mapping.
    public static func mapping(_ data: Data, name: String, for kind: Kind) throws -> ImportMapping {
        try ImportMapping.load(data, name: name, fields: kind == .served ? .served : kind.evidence.map(FieldSet.evidence) ?? .responses)
    }

    /// Imports the file at `path`, calling `progress` as batches are stored (responses only). A file that cannot be
    /// imported at all throws an `ImportError`; rejected rows and conflicts are in the summary.
    public func run(_ path: String, progress: (@Sendable (ImportProgress) -> Void)? = nil) async throws -> ImportSummary {
        var importer = Importer(store: store, validator: validator, batchSize: batchSize, logger: logger)
        importer.knownCentres = knownCentres
        let mappingName = mapping.map { ($0.name as NSString).lastPathComponent }
        if kind == .served {
            importer.servedStore = store
            return try await importer.importServed(at: path, now: now())
        }
        if let evidence = kind.evidence {
            return try await importer.importEvidence(evidence, at: path, mapping: mapping?.mapping, mappingName: mappingName, now: now())
        }
        return try await importer.importFile(at: path, mapping: mapping?.mapping, mappingName: mappingName, now: now(),
                                             checkOnly: checkOnly, progress: progress)
    }
}
