import RidaAggregation
import RidaSurvey

/// How durable a committed write is (SQLite's `synchronous` in WAL mode).
public enum Durability: String, Codable, Sendable, CaseIterable {
    /// Survives a power cut: every commit is synced to disk. The default.
    case full
    /// Survives a crash of Rida, but a power cut may lose the last commits.
    case normal
}

/// What the store needs to know about the deployment.
public struct StoreConfiguration: Sendable {
    /// The deployment's time zone: it assigns each response to its quarter.
    public var zone: DeploymentZone
    public var durability: Durability
    /// SQLite's page cache for the writer, in KiB.
    public var cacheKiB: Int
    /// The misuse rules `save` runs, and the channels they watch (issue 16).
    public var misuse: MisusePolicy
    /// When `save` opens a follow-up case, when it is due, how long contacts are kept (issue 16, `cases.*`).
    public var followUp: FollowUpPolicy

    public init(zone: DeploymentZone = .bahrain, durability: Durability = .full, cacheKiB: Int = 131_072,
                misuse: MisusePolicy = MisusePolicy(), followUp: FollowUpPolicy = FollowUpPolicy()) {
        self.followUp = followUp
        self.zone = zone
        self.durability = durability
        self.cacheKiB = cacheKiB
        self.misuse = misuse
    }
}
