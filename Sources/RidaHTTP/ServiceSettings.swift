import RidaAggregation
import RidaSurvey

/// How the HTTP service is set up: where it listens, its limits, and the deployment it serves.
///
/// The command line fills it from the dotted `http.*` settings (docs/configuration.md).
public struct ServiceSettings: Sendable {
    public var host: String
    public var port: Int
    /// Requests per second and per key; `nil` turns rate limiting off.
    public var rateLimit: RateLimit?
    /// The largest body of one response (JSON or an IVR form), in bytes.
    public var maxBodyBytes: Int
    /// The largest body of a batch, in bytes.
    public var maxBatchBodyBytes: Int
    /// The most responses one batch may hold.
    public var maxBatchResponses: Int
    /// How long a key read from the database is trusted before it is read again: a revoked key
    /// stops working within this time.
    public var keyCacheMilliseconds: Int64
    /// The one validation path, shared with imports.
    public var validator: ResponseValidator
    public var policy: ThresholdPolicy
    /// The day a week starts on for the live display's "this week": 1 is Sunday (Bahrain's working week), 7 Saturday.
    public var weekStartsOn: Int
    /// Whether concurrent submissions share transactions. Off, each request commits alone: only for comparing.
    public var groupCommit: Bool
    /// Timeouts and the cap on connections (`http.timeouts.*`, `http.maxConnections`).
    public var connections = ConnectionLimits()
    /// Live event streams open at once, in all (`live.maxStreams`).
    public var maxStreams = 256
    /// Live event streams one key may hold open (`live.maxStreamsPerKey`).
    public var maxStreamsPerKey = 8
    /// How often every live stream gets its figures again, changed or not.
    public var heartbeat: Duration = .seconds(15)
    /// Below this many bytes free on the database's disk, `/health` reports the database unwritable (`db.minimumFreeBytes`).
    public var minimumFreeBytes: Int64 = 16 * 1024 * 1024
    /// Requests per minute from one client address carrying a key Rida does not know (`http.rateLimit.unknownKeysPerMinute`);
    /// nil turns the limit off.
    public var unknownKeysPerMinute: Double? = 60
    /// Backups made while serving; nil makes none (`rida backup` still can).
    public var backups: BackupSchedule?
    /// The comment themes' lexicon (`themes.lexicon`), for the themes section of the quarterly report's page and workbook.
    public var lexicon: ThemeLexicon = .starter
    /// Days a finished follow-up case keeps the customer's contact (`cases.retentionDays`): erased hourly after.
    public var caseRetentionDays = 30
    /// `invitations.baseURL`: the address customers reach Rida at, which invitation links start with (`https://…`, no
    /// trailing slash); nil: the request's own host, over http.
    public var invitationBaseURL: String?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, rateLimit: RateLimit? = RateLimit(),
        maxBodyBytes: Int = 64 * 1024, maxBatchBodyBytes: Int = 8 * 1024 * 1024, maxBatchResponses: Int = 1000,
        keyCacheMilliseconds: Int64 = 5_000, validator: ResponseValidator = ResponseValidator(),
        policy: ThresholdPolicy = ThresholdPolicy(), weekStartsOn: Int = 1, groupCommit: Bool = true,
        backups: BackupSchedule? = nil
    ) {
        self.host = host
        self.port = port
        self.rateLimit = rateLimit
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchBodyBytes = maxBatchBodyBytes
        self.maxBatchResponses = maxBatchResponses
        self.keyCacheMilliseconds = keyCacheMilliseconds
        self.validator = validator
        self.policy = policy
        self.weekStartsOn = weekStartsOn
        self.groupCommit = groupCommit
        self.backups = backups
    }

    public var zone: DeploymentZone { validator.zone }
    public var channels: ChannelCatalog { validator.channels }
}

/// A per-key token bucket: `requestsPerSecond` on average, up to `burst` at once.
public struct RateLimit: Sendable, Hashable {
    public var requestsPerSecond: Double
    public var burst: Double

    public init(requestsPerSecond: Double = 50, burst: Double = 100) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
    }
}
