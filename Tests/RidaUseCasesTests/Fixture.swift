import Foundation
import RidaAggregation
import RidaAssessment
import RidaStore
import RidaSurvey
import RidaTesting
import RidaUseCases
import Testing

/// A real SQLite file holding a small registry and a quarter of responses, worked out by hand:
///
/// - entity E01 with centres C01 and C03; entity E02 with none;
/// - 2026-Q1, C01's counter: four responses rated 5555, 4444, 3333, 4444: 16 ratings summing 20+16+12+16 = 64, mean 4.0;
///   each question's counts (1…5) are 0, 0, 1, 2, 1;
/// - 2026-Q1, C03's kiosk: two responses rated 5555: 8 ratings, mean 5.0;
/// - 2026-Q2 (the latest quarter), C01's counter: one response rated 2222.
///
/// The use-case suites run once per store implementation (`StoreKind.all`); a suite that needs the file itself (the
/// built `rida` reads it) asks for `.sqliteFile`.
struct Fixture {
    /// The store, of any kind of `StoreKind.all` (PostgreSQL too).
    let store: any RidaStorage
    private let removal: @Sendable () -> Void
    /// A temporary folder for the files a test writes (and, for `.sqliteFile`, the database's own folder).
    let folder: TemporaryDatabase
    static let now = instant("2026-05-01T12:00:00+03:00")
    static let policy = ThresholdPolicy()
    static let channels = ChannelCatalog.standard

    init(_ kind: StoreKind = .sqliteFile) async throws {
        let fresh = try await kind.open()
        store = fresh.store
        removal = { fresh.remove() }
        folder = try TemporaryDatabase()
        try await store.saveEntity(Entity(id: "E01", nameAr: "هيئة المعلومات", nameEn: "Information Authority"))
        try await store.saveEntity(Entity(id: "E02", nameEn: "An entity without centres"))
        try await store.saveCentre(Centre(id: "C01", entity: "E01", nameEn: "Muharraq centre", kind: .headquarters,
                                          channels: ["counter", "kiosk"]), at: Self.now)
        try await store.saveCentre(Centre(id: "C03", entity: "E01", nameEn: "Riffa centre", kind: .headquarters,
                                          channels: ["counter", "kiosk"]), at: Self.now)
        _ = try await store.save([
            response("a1", centre: "C01", at: "2026-01-10T10:00:00+03:00", [5, 5, 5, 5]),
            response("a2", centre: "C01", at: "2026-01-11T10:00:00+03:00", [4, 4, 4, 4]),
            response("a3", centre: "C01", at: "2026-02-12T10:00:00+03:00", [3, 3, 3, 3]),
            response("a4", centre: "C01", at: "2026-03-13T10:00:00+03:00", [4, 4, 4, 4]),
            response("k1", centre: "C03", channel: "kiosk", at: "2026-02-01T10:00:00+03:00", [5, 5, 5, 5]),
            response("k2", centre: "C03", channel: "kiosk", at: "2026-02-02T10:00:00+03:00", [5, 5, 5, 5]),
            response("b1", centre: "C01", at: "2026-04-10T10:00:00+03:00", [2, 2, 2, 2]),
        ], receivedAt: Self.now)
    }

    var showReport: ShowReport {
        ShowReport(store: store, policy: Self.policy, channels: Self.channels, now: { Fixture.now })
    }

    var savedReports: SavedReports {
        SavedReports(store: store, policy: Self.policy, channels: Self.channels, now: { Fixture.now })
    }

    /// The SQLite file, for `.sqliteFile`: what `rida --db` and the HTTP service open.
    var sqlite: SQLiteStore {
        get throws { try #require(store as? SQLiteStore) }
    }

    func remove() {
        removal()
        folder.remove()
    }
}

extension RenderedReport {
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The CSV's lines after the header, without the byte order mark.
    var csvRows: [String] {
        Array(text.dropFirst().split(separator: "\r\n").dropFirst().map(String.init))
    }
}
