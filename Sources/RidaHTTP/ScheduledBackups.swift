import Foundation
import Logging
import RidaStore
import RidaSurvey
import ServiceLifecycle

/// Backups `rida serve` makes on its own (`backup.every`, `backup.keep`, `backup.dir`; docs/configuration.md).
public struct BackupSchedule: Sendable, Hashable {
    /// Time between two backups; the first is made one interval after the service starts.
    public var every: Duration
    /// How many of its backups to keep in `folder`: older ones are deleted after each new one.
    public var keep: Int
    /// Where the backups go: `<database name>-<UTC time>.sqlite`, e.g. `rida-20260201T090000Z.sqlite`.
    public var folder: String

    public init(every: Duration, keep: Int = 7, folder: String) {
        self.every = every
        self.keep = max(1, keep)
        self.folder = folder
    }

    /// The file name of a backup of `database` made at `time`.
    public static func fileName(database: String, at time: Instant) -> String {
        let base = URL(fileURLWithPath: database).deletingPathExtension().lastPathComponent
        let stamp = time.iso8601.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return "\(base)-\(stamp.prefix(15))Z.sqlite"
    }

    /// The backups of `database` in `folder`, oldest first (their names sort by time).
    public func backups(of database: String) -> [String] {
        let base = URL(fileURLWithPath: database).deletingPathExtension().lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            name.hasPrefix(base + "-") && name.hasSuffix("Z.sqlite") && name.count == base.count + 1 + 16 + 7
        }.sorted().map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
    }
}

/// Makes a backup every `schedule.every` while the service runs, through the store's online backup (submissions go
/// on meanwhile), and deletes the oldest beyond `schedule.keep`. A failure is logged and counted in `/metrics`,
/// and the next attempt comes at the next interval; it never stops the service.
struct BackupService: Service {
    let schedule: BackupSchedule
    let store: SQLiteStore
    let metrics: Metrics
    let logger: Logger
    let now: @Sendable () -> Instant

    func run() async throws {
        try? FileManager.default.createDirectory(atPath: schedule.folder, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: schedule.every) }
            } catch {
                break
            }
            await backUp()
        }
    }

    func backUp() async {
        let time = now()
        let path = URL(fileURLWithPath: schedule.folder)
            .appendingPathComponent(BackupSchedule.fileName(database: store.path, at: time)).path
        do {
            let summary = try await store.backup(to: path)
            metrics.recordBackup(succeededAt: time)
            logger.info("backup made", metadata: ["backup.path": "\(summary.path)", "backup.responses": "\(summary.responses)",
                                                  "backup.bytes": "\(summary.bytes)"])
            let all = schedule.backups(of: store.path)
            for old in all.dropLast(schedule.keep) {
                try? FileManager.default.removeItem(atPath: old)
            }
        } catch {
            metrics.recordBackup(succeededAt: nil)
            logger.error("backup failed", metadata: ["backup.path": "\(path)", "error": "\(error)"])
        }
    }
}
