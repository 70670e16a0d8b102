import Foundation
import RidaAggregation
import RidaHTTP
import RidaStore
import RidaSurvey

/// A deployment's settings: the defaults, overridden by a JSON file of dotted keys
/// (`--config FILE` or `RIDA_CONFIG`). Every key is documented in docs/configuration.md.
struct Settings {
    var zone: DeploymentZone = .bahrain
    var channels: ChannelCatalog = .standard
    var policy = ThresholdPolicy()
    var durability: Durability = .full
    var http = HTTPSettings()
    var earliestDate: CivilDate? = ResponseValidator.defaultEarliestDate
    /// `backup.every` in seconds; nil: `rida serve` makes no backups of its own.
    var backupEvery: Int?
    var backupKeep = 7
    var backupFolder: String?
    /// The comment themes' lexicon: Rida's starter one, or the file `themes.lexicon` names.
    var lexicon: ThemeLexicon = .starter
    /// The misuse rules and the channels they watch (issue 16): `misuse.*`.
    var misuse = MisusePolicy()
    /// When a response opens a follow-up case, when it is due, how long contacts are kept (issue 16): `cases.*`.
    var followUp = FollowUpPolicy()
    /// `invitations.baseURL`: where customers reach `rida serve`, which invitation links start with.
    var invitationBaseURL: String?

    static let keys = ["deployment.timeZone", "survey.channels", "survey.earliestDate", "thresholds.reading", "thresholds.minimumResponses", "db.durability",
                       "backup.every", "backup.keep", "backup.dir", "themes.lexicon",
                       "misuse.channels", "misuse.burstCount", "misuse.burstSeconds", "misuse.identicalCount",
                       "misuse.identicalSeconds", "misuse.minimumSeconds", "misuse.arrivalWindowSeconds",
                       "cases.score", "cases.terms", "cases.dueWorkingDays", "cases.weekend", "cases.holidays", "cases.retentionDays", "invitations.baseURL"]
        + HTTPSettings.keys

    static func load(path: String?) throws -> Settings {
        var settings = Settings()
        guard let path else { return settings }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("The configuration file \(path) cannot be read: check the --config path or RIDA_CONFIG.")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw CLIError("The configuration file \(path) is not a JSON object of settings (see docs/configuration.md).")
        }
        // Each problem names its setting; its reason is a whole sentence that names it too, as the file is read.
        var problems: [Problem] = []
        for key in root.keys.sorted() where !keys.contains(key) {
            problems.append(Problem(field: key, reason: "\"\(key)\" is not a setting (settings: \(keys.joined(separator: ", ")))"))
        }
        if let value = root["deployment.timeZone"] {
            if let name = value as? String, let zone = try? DeploymentZone(name) {
                settings.zone = zone
            } else {
                problems.append(Problem(field: "deployment.timeZone", reason: "deployment.timeZone must name a time zone, such as \"Asia/Bahrain\""))
            }
        }
        if let value = root["thresholds.reading"] {
            if let name = value as? String, let reading = Reading(rawValue: name) {
                settings.policy.reading = reading
            } else {
                problems.append(Problem(field: "thresholds.reading", reason: "thresholds.reading must be \"ratings\" or \"questions\""))
            }
        }
        if let value = root["thresholds.minimumResponses"] {
            if let number = value as? Int, number >= 1 {
                settings.policy.minimumResponses = number
            } else {
                problems.append(Problem(field: "thresholds.minimumResponses", reason: "thresholds.minimumResponses must be a whole number of 1 or more"))
            }
        }
        if let value = root["db.durability"] {
            if let name = value as? String, let durability = Durability(rawValue: name) {
                settings.durability = durability
            } else {
                problems.append(Problem(field: "db.durability", reason: "db.durability must be \"full\" or \"normal\""))
            }
        }
        if let value = root["survey.channels"] {
            var channels: [Channel] = []
            if let list = value as? [[String: Any]] {
                for (i, entry) in list.enumerated() {
                    guard let id = entry["id"] as? String, !id.isEmpty,
                          let kindName = entry["kind"] as? String, let kind = ChannelKind(rawValue: kindName) else {
                        problems.append(Problem(field: "survey.channels", reason: "survey.channels[\(i)] needs an \"id\" and a \"kind\" of \"headquarters\" or \"remote\""))
                        continue
                    }
                    if case .failure(let problem) = Identifier.check(id, field: "channel", spaces: .none) {
                        problems.append(Problem(field: "survey.channels", reason: "survey.channels[\(i)].id \"\(id)\": \(problem.reason)"))
                        continue
                    }
                    var name: LocalizedText?
                    if let names = entry["name"] as? [String: String], let ar = names["ar"], let en = names["en"] {
                        name = LocalizedText(ar: ar, en: en)
                    }
                    channels.append(Channel(id: id, kind: kind, name: name))
                }
            } else {
                problems.append(Problem(field: "survey.channels", reason: "survey.channels must be a list of {\"id\", \"kind\"} objects"))
            }
            if !channels.isEmpty { settings.channels = ChannelCatalog(channels) }
        }
        if let value = root["survey.earliestDate"] {
            if value is NSNull {
                settings.earliestDate = nil
            } else if let text = value as? String, text.utf8.count == 10, case let parts = text.split(separator: "-").compactMap({ Int($0) }),
                      parts.count == 3, CivilDate(year: parts[0], month: parts[1], day: parts[2]).isValid {
                settings.earliestDate = CivilDate(year: parts[0], month: parts[1], day: parts[2])
            } else {
                problems.append(Problem(field: "survey.earliestDate", reason: "survey.earliestDate must be a date such as \"2015-01-01\" (or null to accept any date)"))
            }
        }
        if let value = root["backup.every"] {
            if let seconds = Self.seconds(value), seconds >= 1 {
                settings.backupEvery = seconds
            } else {
                problems.append(Problem(field: "backup.every", reason: "backup.every must be a time such as \"6h\", \"30m\", \"1d\" or a number of seconds"))
            }
        }
        if let value = root["backup.keep"] {
            if let number = value as? Int, number >= 1 { settings.backupKeep = number } else { problems.append(Problem(field: "backup.keep", reason: "backup.keep must be a whole number of 1 or more")) }
        }
        if let value = root["backup.dir"] {
            if let text = value as? String, !text.isEmpty { settings.backupFolder = text } else { problems.append(Problem(field: "backup.dir", reason: "backup.dir must be a folder path")) }
        }
        if let value = root["misuse.channels"] {
            if let list = value as? [String], list.allSatisfy({ !$0.isEmpty }) {
                let unknown = list.filter { settings.channels.channel($0) == nil }
                if unknown.isEmpty {
                    settings.misuse.channels = Set(list)
                } else {
                    problems.append(Problem(field: "misuse.channels", reason: "misuse.channels names \(unknown.joined(separator: ", ")), which survey.channels does not (a misspelt channel would leave the rules off)"))
                }
            } else {
                problems.append(Problem(field: "misuse.channels", reason: "misuse.channels must be a list of channel ids, such as [\"kiosk\"] (an empty list turns the misuse rules off)"))
            }
        }
        let ruleSettings: [(String, WritableKeyPath<MisuseRules, Int>)] = [
            ("misuse.burstCount", \.burstCount), ("misuse.burstSeconds", \.burstSeconds),
            ("misuse.identicalCount", \.identicalCount), ("misuse.identicalSeconds", \.identicalSeconds),
            ("misuse.minimumSeconds", \.minimumSeconds),
        ]
        for (key, path) in ruleSettings {
            guard let value = root[key] else { continue }
            if let number = value as? Int, (0...86_400).contains(number), key != "misuse.identicalCount" || number != 1 {
                settings.misuse.rules[keyPath: path] = number
            } else {
                problems.append(Problem(field: key, reason: "\(key) must be a whole number from 0 (the rule off) to 86400"
                    + (key == "misuse.identicalCount" ? ", and not 1 (every response without a comment would be set aside)" : "")))
            }
        }
        if let value = root["misuse.arrivalWindowSeconds"] {
            if let number = value as? Int, (0...86_400).contains(number) {
                settings.misuse.arrivalWindowSeconds = number
            } else {
                problems.append(Problem(field: "misuse.arrivalWindowSeconds", reason: "misuse.arrivalWindowSeconds must be a whole number from 0 (no bound) to 86400"))
            }
        }
        readCases(root, into: &settings, problems: &problems)
        if let value = root["invitations.baseURL"] {
            if let text = value as? String, let url = try? baseURL(text, field: "invitations.baseURL") {
                settings.invitationBaseURL = url
            } else {
                problems.append(Problem(field: "invitations.baseURL", reason: "invitations.baseURL must be an http:// or https:// address without a path, query or fragment, such as \"https://rida.example.bh\""))
            }
        }
        settings.http.read(root, problems: &problems)
        var lexiconFile: String?
        if let value = root["themes.lexicon"] {
            if let text = value as? String, !text.isEmpty { lexiconFile = text } else { problems.append(Problem(field: "themes.lexicon", reason: "themes.lexicon must be the path of a lexicon file (see themes/README.md)")) }
        }
        if !problems.isEmpty {
            throw CLIError("The configuration file \(path) has problems: " + problems.map(\.reason).joined(separator: "; ") + ".")
        }
        if let lexiconFile {
            // A lexicon with problems is refused with each one, naming the file, the theme and the term.
            guard let data = FileManager.default.contents(atPath: lexiconFile) else {
                throw CLIError("The themes lexicon \(lexiconFile) (themes.lexicon in \(path)) cannot be read: check the path, relative to the working folder.")
            }
            settings.lexicon = try ThemeLexicon.read(data, file: lexiconFile)
        }
        return settings
    }

    /// The `cases.*` settings (docs/configuration.md).
    static func readCases(_ root: [String: Any], into settings: inout Settings, problems: inout [Problem]) {
        let numbers: [(String, WritableKeyPath<FollowUpPolicy, Int>, ClosedRange<Int>)] = [
            ("cases.score", \.score, 0...5), ("cases.dueWorkingDays", \.dueWorkingDays, 1...60),
            ("cases.retentionDays", \.retentionDays, 0...3_650),
        ]
        for (key, path, range) in numbers {
            guard let value = root[key] else { continue }
            if let number = value as? Int, range.contains(number) {
                settings.followUp[keyPath: path] = number
            } else {
                problems.append(Problem(field: key, reason: "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
            }
        }
        if let value = root["cases.terms"] {
            if let object = value as? [String: Any], let terms = object as? [String: [String]],
               terms.values.allSatisfy({ $0.allSatisfy { !ThemeText.words($0).isEmpty } }) {
                settings.followUp.terms = terms
            } else {
                problems.append(Problem(field: "cases.terms", reason: "cases.terms must be an object of centre ids (or \"*\" for every centre) to lists of words or phrases, such as {\"*\": [\"rude\", \"وقح\"]}"))
            }
        }
        if let value = root["cases.weekend"] {
            if let names = value as? [String], case let days = names.compactMap({ WorkingCalendar.dayNames.firstIndex(of: $0.lowercased()) }),
               days.count == names.count, days.count < 7 {
                settings.followUp.calendar.weekend = Set(days)
            } else {
                problems.append(Problem(field: "cases.weekend", reason: "cases.weekend must be a list of English day names, such as [\"friday\", \"saturday\"], leaving at least one working day"))
            }
        }
        if let value = root["cases.holidays"] {
            let dates = (value as? [String])?.map { text -> CivilDate? in
                let parts = text.split(separator: "-").compactMap { Int($0) }
                guard text.utf8.count == 10, parts.count == 3 else { return nil }
                let date = CivilDate(year: parts[0], month: parts[1], day: parts[2])
                return date.isValid ? date : nil
            }
            if let dates, !dates.contains(nil) {
                settings.followUp.calendar.holidays = Set(dates.compactMap { $0 })
            } else {
                problems.append(Problem(field: "cases.holidays", reason: "cases.holidays must be a list of dates such as [\"2026-12-16\", \"2026-12-17\"]"))
            }
        }
    }

    /// `text` as the start of invitation links: `http(s)://host[:port]`, no trailing slash; nil when absent.
    static func baseURL(_ text: String?, field: String) throws -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty, components.path.isEmpty, components.query == nil, components.fragment == nil,
              components.user == nil, trimmed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }) else {
            throw CLIError("\(field) \(text) is not an http:// or https:// address without a path, such as https://rida.example.bh.")
        }
        return trimmed
    }

    /// Seconds in `30`, `"90s"`, `"30m"`, `"6h"`, `"1d"`.
    static func seconds(_ value: Any) -> Int? {
        if let number = value as? Int { return number }
        guard let text = (value as? String)?.trimmingCharacters(in: .whitespaces), let unit = text.last else { return nil }
        let factor: Int
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3_600
        case "d": factor = 86_400
        default: return Int(text)
        }
        return Int(text.dropLast()).map { $0 * factor }
    }

    var storeConfiguration: StoreConfiguration {
        StoreConfiguration(zone: zone, durability: durability, misuse: misuse, followUp: followUp)
    }

    var validator: ResponseValidator {
        var validator = ResponseValidator(questionnaire: .appendix3, channels: channels, zone: zone)
        validator.earliestDate = earliestDate
        return validator
    }
}

/// An error the command line shows as it is: one sentence, then a non-zero exit.
struct CLIError: RidaFailure {
    var description: String
    var exitCode: Int32
    var kind: FailureKind

    init(_ description: String, exitCode: Int32 = 2, kind: FailureKind = .invalid) {
        self.description = description
        self.exitCode = exitCode
        self.kind = kind
    }

    var code: String { "command_failed" }
}

extension Quarter {
    /// A `--quarter` option's value (YEAR-Qn), nil when the option was not given; a sentence saying how to write it
    /// otherwise.
    static func option(_ text: String?) throws -> Quarter? {
        guard let text else { return nil }
        guard let quarter = Quarter(text) else { throw CLIError("--quarter \(text) is not a quarter: write it YEAR-Qn, such as 2026-Q1.") }
        return quarter
    }
}
