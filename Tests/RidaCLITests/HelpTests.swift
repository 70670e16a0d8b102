import Foundation
import RidaTesting
import Testing

/// Help texts are paragraphs that ArgumentParser wraps: no line of `rida --help` or any subcommand's help is broken
/// by hand in the middle of a sentence.
@Suite struct HelpTests {
    static let width = 80

    /// `rida --help`, then every subcommand's help, found in each help's SUBCOMMANDS section.
    static func everyHelp() throws -> [(command: [String], text: String)] {
        var found: [(command: [String], text: String)] = []
        var queue: [[String]] = [[]]
        while let command = queue.first {
            queue.removeFirst()
            let result = try runRida(command + ["--help"], environment: ["COLUMNS": "\(width)"])
            #expect(result.status == 0, "\(command): \(result.stderr)")
            found.append((command, result.stdout))
            var inSubcommands = false
            for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("SUBCOMMANDS:") { inSubcommands = true; continue }
                if inSubcommands, line.isEmpty || !line.hasPrefix(" ") { inSubcommands = false; continue }
                // "  name                    Abstract" (a name, then its abstract), or an abstract's continuation line.
                if inSubcommands, line.hasPrefix("  "), !line.hasPrefix("   "),
                   let name = line.split(separator: " ").first.map(String.init), name != "help" {
                    queue.append(command + [name.replacingOccurrences(of: " (default)", with: "")])
                }
            }
        }
        return found
    }

    /// A wrapper breaks a line only where the next word would not fit (ArgumentParser fills a line to `width - 1`
    /// characters): a line that the next line's first word would have fitted on was broken by hand. Command examples
    /// (lines starting with `rida `) stand on their own lines.
    static func handBreaks(in text: String) -> [String] {
        let overview = text.components(separatedBy: "\nUSAGE:").first ?? text
        let lines = overview.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var breaks: [String] = []
        for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty && !next.hasPrefix("rida ") {
            let firstWord = next.split(separator: " ").first.map(String.init) ?? ""
            if line.count + 1 + firstWord.count < width { breaks.append(line + "⏎" + next) }
        }
        return breaks
    }

    /// rida-bench reads its options with ArgumentParser: the flags and defaults docs/benchmarks.md gives, its help
    /// wrapped like rida's, and a run count of 0 refused before anything is measured.
    @Test func ridaBenchKeepsItsFlagsAndDefaults() throws {
        let bench = ridaExecutable().deletingLastPathComponent().appendingPathComponent("rida-bench")
        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let process = Process()
            process.executableURL = bench
            process.arguments = arguments
            process.environment = ["COLUMNS": "\(Self.width)"]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, stdout, stderr)
        }
        let help = try run(["--help"])
        // The flag line of the usage and of the options: "--rows <N> The responses … (default: 1000000)".
        #expect(help.status == 0)
        let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // Each flag's line, its help and default joined (ArgumentParser may wrap the default onto the next line).
        for (flag, value) in [("--rows <N>", "1000000"), ("--large <N>", "10000000"), ("--runs <R>", "3"),
                              ("--single <N>", "20000"), ("--batch <N>", "50000")] {
            let rest = flat.components(separatedBy: flag + " ").dropFirst().first ?? ""
            let entry = rest.components(separatedBy: " --").first ?? ""
            #expect(entry.contains("(default: \(value))"), "\(flag)")
        }
        #expect(flat.contains("--dir <DIR>"))
        #expect(Self.handBreaks(in: help.stdout).isEmpty)
        let refused = try run(["--runs", "0"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--runs must be 1 or more."))
    }

    @Test func theCheckFindsAHandBrokenLine() {
        // The root help as it was: "…in one SQLite file" then "and reports" on its own line.
        let ragged = "OVERVIEW: Customer-satisfaction surveys.\n\nRida stores the responses in one SQLite file\nand reports\neach quarter.\n\nUSAGE: rida"
        #expect(Self.handBreaks(in: ragged).count == 2)
        let wrapped = "OVERVIEW: Customer-satisfaction surveys.\n\nRida stores the responses in one SQLite file and reports each quarter.\n\nUSAGE: rida"
        #expect(Self.handBreaks(in: wrapped).isEmpty)
    }

    @Test func noHelpLineIsBrokenByHand() throws {
        let helps = try Self.everyHelp()
        // The root, its fourteen commands, and their subcommands.
        #expect(helps.count > 20)
        for (command, text) in helps {
            #expect(Self.handBreaks(in: text).isEmpty, "rida \(command.joined(separator: " ")) --help: \(Self.handBreaks(in: text))")
        }
    }
}
