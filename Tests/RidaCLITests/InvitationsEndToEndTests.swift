import Foundation
import RidaStore
import RidaSurvey
import RidaTesting
import Testing

/// `rida invitations create` through the built `rida`: a batch for printed receipts, its CSV of links and QR codes,
/// each code read back by Debian's zbarimg as its link, and the tokens kept nowhere but in what was handed out.
@Suite struct InvitationsEndToEndTests {
    let temp: TemporaryDatabase

    init() throws {
        temp = try TemporaryDatabase()
        let store = try temp.open()
        try store.close()
    }

    func rida(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try runRida(arguments + ["--db", temp.path], in: temp.folder, environment: environment)
    }

    static func zbarimg(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--quiet", "--raw", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    @Test func aBatchForPrintedReceiptsWithItsQRCodes() throws {
        defer { temp.remove() }
        let csv = temp.folder.appendingPathComponent("codes.csv").path
        let qr = temp.folder.appendingPathComponent("qr").path
        var result = try rida(["invitations", "create", "--centre", "C01", "--channel", "counter", "--count", "3", "--service", "تجديد جواز",
                               "--base-url", "https://rida.example.bh/", "--out", csv, "--qr", qr, "--by", "Front office"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Made 3 invitations for C01 counter, open until "))
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.count == 4 && lines[0].hasSuffix("id,centre,channel,service,counter,stage,expires_at,link"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: csv)).prefix(3) == Data([0xEF, 0xBB, 0xBF]), "a BOM, for spreadsheets to read UTF-8")
        let links = lines.dropFirst().map { String($0.split(separator: ",").last!) }
        #expect(links.allSatisfy { $0.hasPrefix("https://rida.example.bh/s/") && $0.count == "https://rida.example.bh/s/".count + 22 })
        #expect(Set(links).count == 3)
        #expect(lines[1].hasPrefix("1,C01,counter,تجديد جواز,,,"))
        // Each QR code reads back as its link.
        for (index, link) in links.enumerated() {
            #expect(try Self.zbarimg("\(qr)/\(index + 1).png") == link)
            #expect(try String(contentsOfFile: "\(qr)/\(index + 1).svg", encoding: .utf8).hasPrefix("<svg"))
        }
        // The database keeps the tokens' hashes only.
        let database = try Data(contentsOf: URL(fileURLWithPath: temp.path)) + ((try? Data(contentsOf: URL(fileURLWithPath: temp.path + "-wal"))) ?? Data())
        for link in links { #expect(database.range(of: Data(link.split(separator: "/").last!.utf8)) == nil) }

        // Refused with a sentence: no base address; an unknown channel; a file that exists; too many.
        result = try rida(["invitations", "create", "--centre", "C01", "--channel", "counter", "--out", temp.folder.appendingPathComponent("b.csv").path, "--by", "F"])
        #expect(result.status == 2 && result.stderr.contains("Say where customers reach rida serve: --base-url"))
        result = try rida(["invitations", "create", "--centre", "C01", "--channel", "fax", "--base-url", "https://r.example",
                           "--out", temp.folder.appendingPathComponent("c.csv").path, "--by", "F"])
        #expect(result.status == 2 && result.stderr.contains("\"fax\" is not a channel of this deployment"))
        result = try rida(["invitations", "create", "--centre", "C01", "--channel", "counter", "--base-url", "https://r.example", "--out", csv, "--by", "F"])
        #expect(result.status == 2 && result.stderr.contains("exists already"))
        result = try rida(["invitations", "create", "--centre", "C01", "--channel", "counter", "--count", "5000", "--base-url", "https://r.example",
                           "--out", temp.folder.appendingPathComponent("d.csv").path, "--by", "F"])
        #expect(result.status == 2 && result.stderr.contains("--count must be from 1 to 1000"))
        let config = try temp.file("rida.json", #"{"invitations.baseURL": "ftp://x/y"}"#)
        result = try rida(["invitations", "create", "--centre", "C01", "--channel", "counter", "--config", config,
                           "--out", temp.folder.appendingPathComponent("e.csv").path, "--by", "F"])
        #expect(result.status == 2 && result.stderr.contains("invitations.baseURL must be an http:// or https:// address"))
    }
}
