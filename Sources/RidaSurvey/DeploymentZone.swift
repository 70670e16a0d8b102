import Foundation

/// The deployment's time zone: it places local times and cuts days and quarters.
///
/// Asia/Bahrain (UTC+3, no daylight saving) by default. Zones with a fixed offset since 2000
/// are computed with integer arithmetic; others ask Foundation's `TimeZone` for each instant.
public struct DeploymentZone: Sendable, Hashable {
    public let identifier: String
    private let timeZone: TimeZone
    private let fixedOffsetMilliseconds: Int64?

    /// Fails with a sentence when `identifier` is not a time zone name this machine knows.
    public init(_ identifier: String) throws(ProblemList) {
        guard let zone = TimeZone(identifier: identifier) else {
            throw ProblemList([Problem(field: "timeZone", reason: "\"\(identifier)\" is not a time zone name (for example Asia/Bahrain)")])
        }
        self.identifier = identifier
        self.timeZone = zone
        let since2000 = Date(timeIntervalSince1970: 946_684_800)
        if zone.nextDaylightSavingTimeTransition(after: since2000) == nil {
            self.fixedOffsetMilliseconds = Int64(zone.secondsFromGMT(for: Date())) * 1000
        } else {
            self.fixedOffsetMilliseconds = nil
        }
    }

    public static let bahrain: DeploymentZone = try! DeploymentZone("Asia/Bahrain")

    /// The offset from UTC in force at `instant`, in milliseconds.
    public func offset(at instant: Instant) -> Int64 {
        if let fixedOffsetMilliseconds { return fixedOffsetMilliseconds }
        return Int64(timeZone.secondsFromGMT(for: instant.date)) * 1000
    }

    /// The instant a local wall-clock time denotes. In a gap or overlap of daylight saving,
    /// the offset in force just before the change is used.
    public func instant(wallClockMilliseconds wall: Int64) -> Instant {
        if let fixedOffsetMilliseconds { return Instant(millisecondsSince1970: wall - fixedOffsetMilliseconds) }
        let guess = Instant(millisecondsSince1970: wall - offset(at: Instant(millisecondsSince1970: wall)))
        return Instant(millisecondsSince1970: wall - offset(at: guess))
    }

    /// Milliseconds since 1970-01-01T00:00 on the local wall clock at `instant`.
    public func wallClock(at instant: Instant) -> Int64 {
        instant.millisecondsSince1970 + offset(at: instant)
    }

    /// The local calendar date at `instant`.
    public func date(at instant: Instant) -> CivilDate {
        CivilDate(daysSince1970: floorDiv(wallClock(at: instant), 86_400_000))
    }

    /// The calendar quarter `instant` falls in, in this zone.
    public func quarter(at instant: Instant) -> Quarter {
        let date = date(at: instant)
        return Quarter(year: date.year, number: (date.month - 1) / 3 + 1)
    }

    /// The first instant of a local date.
    public func startOfDay(_ date: CivilDate) -> Instant {
        instant(wallClockMilliseconds: date.daysSince1970 * 86_400_000)
    }

    /// The instants `[start, end)` a quarter covers in this zone.
    public func interval(of quarter: Quarter) -> Range<Instant> {
        startOfDay(quarter.firstDay)..<startOfDay(quarter.next.firstDay)
    }

    public static func == (lhs: DeploymentZone, rhs: DeploymentZone) -> Bool {
        lhs.identifier == rhs.identifier
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(identifier)
    }
}
