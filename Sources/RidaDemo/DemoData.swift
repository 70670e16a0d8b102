import RidaAssessment
import RidaStore
import RidaSurvey

/// A reproducible random number generator (SplitMix64): the same seed gives the same demo.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A realistic demo: headquarters and remote centres, every channel, eight quarters,
/// Arabic and English comments, and a few channels below the guide's thresholds.
public struct DemoData: Sendable {
    /// A centre of the demo and the channels it serves.
    public struct Centre: Sendable {
        public var id: String
        public var entity: String
        public var name: LocalizedText
        public var channels: [String]
        public var kind: CentreKind
    }

    /// Two government entities, each with its remote centre (framework 2) and headquarters (framework 1).
    public static let entities: [Entity] = [
        Entity(id: "E01", nameAr: "هيئة المعلومات والحكومة الإلكترونية", nameEn: "Information & eGovernment Authority"),
        Entity(id: "E02", nameAr: "وزارة الإسكان", nameEn: "Ministry of Housing"),
    ]

    static let remoteChannels = ["call_centre", "website", "mobile_app", "chat", "email", "social"]

    public static let centres: [Centre] = [
        Centre(id: "C01", entity: "E01", name: LocalizedText(ar: "مركز خدمة مدينة عيسى", en: "Isa Town service centre"),
               channels: ["counter", "kiosk"], kind: .headquarters),
        Centre(id: "C02", entity: "E01", name: LocalizedText(ar: "مركز خدمة المحرق", en: "Muharraq service centre"),
               channels: ["counter", "kiosk"], kind: .headquarters),
        Centre(id: "C03", entity: "E02", name: LocalizedText(ar: "مركز خدمة سترة", en: "Sitra service centre"),
               channels: ["counter", "kiosk"], kind: .headquarters),
        Centre(id: "R01", entity: "E01", name: LocalizedText(ar: "مركز الخدمة عن بعد – هيئة المعلومات", en: "Remote service – Information Authority"),
               channels: remoteChannels, kind: .remote),
        Centre(id: "R02", entity: "E02", name: LocalizedText(ar: "مركز الخدمة عن بعد – وزارة الإسكان", en: "Remote service – Ministry of Housing"),
               channels: remoteChannels, kind: .remote),
    ]

    static let services: [String] = [
        "إصدار بطاقة الهوية", "تجديد جواز السفر", "شهادة ميلاد", "تسجيل عنوان السكن", "Smart card renewal",
        "Birth certificate", "طلب خدمة إسكانية", "Housing application", "تحديث البيانات", "Address update",
    ]

    static let goodComments: [String] = [
        "خدمة ممتازة وسريعة، شكراً للموظف", "الموظفة كانت متعاونة جداً", "تجربة سهلة وواضحة",
        "Quick and friendly service, thank you", "Everything was done in one visit", "شكراً على حسن الاستقبال",
    ]
    static let badComments: [String] = [
        "الانتظار طويل جداً، \"ساعة كاملة\"", "طُلب مني إحضار مستندات موجودة لديكم", "النظام كان متوقفاً, وعدت مرة أخرى",
        "Waited too long, the queue screen was broken", "The app crashed twice before I could pay",
        "لم أحصل على رد من مركز الاتصال\nاتصلت ثلاث مرات",
    ]

    /// Satisfaction of a channel: the chance a rating is 5, 4, 3, 2, 1 at quarter 0, and its drift per quarter.
    struct Profile {
        var weights: [Double]
        var drift: Double
        var volume: ClosedRange<Int>
    }

    static func profile(centre: String, channel: String) -> Profile {
        switch (centre, channel) {
        case ("C03", "kiosk"): Profile(weights: [0.18, 0.30, 0.27, 0.15, 0.10], drift: -0.005, volume: 80...140)  // below 3-in-80%
        case ("R02", "social"): Profile(weights: [0.25, 0.30, 0.25, 0.12, 0.08], drift: 0.0, volume: 45...70)     // below 4 of 5
        case (_, "email"): Profile(weights: [0.45, 0.35, 0.12, 0.05, 0.03], drift: 0.0, volume: 12...28)           // too few responses
        case ("C02", "counter"): Profile(weights: [0.42, 0.36, 0.14, 0.05, 0.03], drift: 0.012, volume: 150...260)
        case (_, "counter"): Profile(weights: [0.55, 0.33, 0.08, 0.03, 0.01], drift: 0.004, volume: 180...300)
        case (_, "call_centre"): Profile(weights: [0.40, 0.38, 0.14, 0.05, 0.03], drift: 0.01, volume: 120...220)
        default: Profile(weights: [0.50, 0.32, 0.11, 0.04, 0.03], drift: 0.006, volume: 60...160)
        }
    }

    public var seed: UInt64 = 20_231_001

    public init(seed: UInt64 = 20_231_001) {
        self.seed = seed
    }

    /// The quarters the demo covers: the eight up to the last one completed before `now`.
    public static func quarters(before now: Instant, zone: DeploymentZone) -> [Quarter] {
        zone.quarter(at: now).previous.trailing(8)
    }

    /// Every response of the demo, quarter by quarter.
    public func responses(quarters: [Quarter], zone: DeploymentZone) -> [SurveyResponse] {
        var rng = SeededGenerator(seed: seed)
        var responses: [SurveyResponse] = []
        var serial = 0
        for (quarterIndex, quarter) in quarters.enumerated() {
            let interval = zone.interval(of: quarter)
            let days = Int((interval.upperBound.millisecondsSince1970 - interval.lowerBound.millisecondsSince1970) / 86_400_000)
            for centre in Self.centres {
                for channel in centre.channels {
                    let profile = Self.profile(centre: centre.id, channel: channel)
                    let shift = profile.drift * Double(quarterIndex)
                    var weights = profile.weights
                    weights[0] = max(0.01, weights[0] + shift)
                    weights[3] = max(0.005, weights[3] - shift / 2)
                    weights[4] = max(0.005, weights[4] - shift / 2)
                    let count = Int.random(in: profile.volume, using: &rng)
                    for _ in 0..<count {
                        serial += 1
                        let day = Int64(Int.random(in: 0..<days, using: &rng))
                        let remote = channel != "counter" && channel != "kiosk"
                        let hours = remote ? Int64.random(in: 0..<24, using: &rng) : Int64.random(in: 7..<14, using: &rng)
                        let instant = interval.lowerBound.adding(
                            milliseconds: day * 86_400_000 + hours * 3_600_000 + Int64.random(in: 0..<3_600_000, using: &rng))
                        responses.append(Self.response(id: "demo-\(serial)", centre: centre.id, channel: channel, at: instant,
                                                       weights: weights, using: &rng))
                    }
                }
            }
        }
        return responses
    }

    /// One response of `centre` on `channel` at `instant`, its answers drawn from `weights` (5 down to 1).
    static func response(
        id: String, centre: String, channel: String, at instant: Instant, weights: [Double], using rng: inout SeededGenerator
    ) -> SurveyResponse {
        let remote = channel != "counter" && channel != "kiosk"
        let base = Self.score(weights, &rng)
        var ratings: [Int?] = (0..<4).map { _ in
            min(5, max(1, base + [-1, 0, 0, 0, 0, 1].randomElement(using: &rng)!))
        }
        if Double.random(in: 0..<1, using: &rng) < 0.08 { ratings[Int.random(in: 0..<4, using: &rng)] = nil }
        let mean = Double(ratings.compactMap { $0 }.reduce(0, +)) / Double(max(1, ratings.compactMap { $0 }.count))
        var comment: String?
        if Double.random(in: 0..<1, using: &rng) < 0.3 {
            comment = (mean >= 3.5 ? Self.goodComments : Self.badComments).randomElement(using: &rng)
        }
        let stage: Stage? = remote
            ? [Stage.before, .during, .after, .after].randomElement(using: &rng)
            : (Double.random(in: 0..<1, using: &rng) < 0.9 ? .after : .during)
        return SurveyResponse(
            id: id, centre: centre, channel: channel, submittedAt: instant, stage: stage,
            ratings: ratings,
            service: Double.random(in: 0..<1, using: &rng) < 0.8 ? Self.services.randomElement(using: &rng) : nil,
            counter: channel == "counter" ? "\(Int.random(in: 1...8, using: &rng))" : (channel == "kiosk" ? "K\(Int.random(in: 1...3, using: &rng))" : nil),
            comment: comment)
    }

    static func score(_ weights: [Double], _ rng: inout SeededGenerator) -> Int {
        let total = weights.reduce(0, +)
        var pick = Double.random(in: 0..<total, using: &rng)
        for (i, weight) in weights.enumerated() {
            if pick < weight { return 5 - i }
            pick -= weight
        }
        return 1
    }

    /// Builds the demo in `store`, in batches, and returns the quarters it covers.
    public func populate(_ store: SQLiteStore, now: Instant) async throws -> [Quarter] {
        let quarters = Self.quarters(before: now, zone: store.configuration.zone)
        try await store.saveCentres(
            Self.centres.map { RidaAssessment.Centre(id: $0.id, entity: $0.entity, nameAr: $0.name.ar, nameEn: $0.name.en, kind: $0.kind, channels: $0.channels) },
            entities: Self.entities, at: now)
        let all = responses(quarters: quarters, zone: store.configuration.zone)
        var start = 0
        while start < all.count {
            let end = min(all.count, start + 10_000)
            _ = try await store.save(Array(all[start..<end]), receivedAt: now)
            start = end
        }
        return quarters
    }
}
