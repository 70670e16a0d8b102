import Foundation
@testable import RidaReports
import Testing

/// QR codes of links (issue 15): made by libqrencode, drawn as PNG and SVG, and read back by Debian's zbarimg, a
/// reader that has nothing to do with the code that drew them.
struct QRCodeTests {
    /// zbarimg's reading of a PNG file (scripts/setup installs zbar-tools for the tests).
    static func decode(_ png: [UInt8]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rida-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("code.png")
        try Data(png).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--quiet", "--raw", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "zbarimg found a code")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    @Test(arguments: [
        "https://rida.example/s/3q2-7wJxN0aYbZk9LmPqRs",
        "https://rida.gov.bh/signs/C01/counter/12?lang=ar",
        "RIDA",
    ])
    func aPNGReadsBackAsTheTextItEncodes(text: String) throws {
        let code = try QRCode(text)
        #expect(code.size >= 21 && (code.size - 17) % 4 == 0, "a QR code's side is 17 + 4 × version modules")
        #expect(try Self.decode(code.png()) == text)
        #expect(try Self.decode(code.png(scale: 3)) == text)
    }

    /// The SVG's squares are the code's dark modules, each at its place past the quiet zone: the modules read back
    /// from the path, drawn again as PNG, read back as the link.
    @Test func theSVGDrawsTheSameModulesAndEscapesItsLabel() throws {
        let text = "https://rida.example/s/AbCdEfGhIjKlMnOpQrStUv"
        let code = try QRCode(text)
        let svg = code.svg(pixels: 200, label: "Rate us <script>alert(1)</script> قيّمنا")
        #expect(svg.contains(#"aria-label="Rate us &lt;script&gt;alert(1)&lt;/script&gt; قيّمنا""#))
        #expect(!svg.contains("<script>"))
        let side = code.size + 2 * QRCode.quietZone
        #expect(svg.contains(#"viewBox="0 0 \#(side) \#(side)""#))
        let path = try #require(svg.split(separator: "d=\"").last?.split(separator: "\"").first)
        var modules = [Bool](repeating: false, count: code.size * code.size)
        for square in path.split(separator: "z") {
            let numbers = square.dropFirst().split(separator: "h").first!.split(separator: " ").compactMap { Int($0) }
            modules[(numbers[1] - QRCode.quietZone) * code.size + numbers[0] - QRCode.quietZone] = true
        }
        #expect(modules == code.modules)
        #expect(try Self.decode(QRCode(text: text, size: code.size, modules: modules).png()) == text)
    }

    /// The PNG's checks, against values known outside this code: the CRC-32 of an IEND chunk's type is AE426082 (every
    /// PNG ends with it), Adler-32 of "Wikipedia" is 11E60398 (the checksum's usual worked example).
    @Test func thePNGChecksumsAreTheStandardOnes() throws {
        #expect(PNG.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNG.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        let png = try QRCode("RIDA").png(scale: 2)
        #expect(Array(png.prefix(8)) == PNG.signature)
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        // 21 modules + 2 × 4 of quiet zone, 2 pixels each: 58 × 58.
        #expect(Array(png[16..<24]) == [0, 0, 0, 58, 0, 0, 0, 58])
    }

    @Test func anEmptyOrOverlongTextIsRefusedWithASentence() {
        #expect(throws: QRCodeError.self) { try QRCode("") }
        let error = #expect(throws: QRCodeError.self) { try QRCode(String(repeating: "x", count: 2_332)) }
        #expect(error?.description.contains("2332") == true || error?.description.contains("2,332") == true)
    }
}
