import Testing
@testable import RidaImport

@Suite struct CSVReaderTests {
    func records(_ text: String) throws -> [[String]] {
        var reader = CSVReader(bytes: Array(text.utf8))
        var rows: [[String]] = []
        while let record = try reader.next() {
            rows.append(record.fields.map { String(decoding: $0, as: UTF8.self) })
        }
        return rows
    }

    @Test func readsQuotedFieldsWithCommasQuotesAndLineBreaks() throws {
        let text = "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"line 1\nline 2\"\r\nplain,,\"\"\n"
        #expect(try records(text) == [["a", "b", "c"], ["x, y", "he said \"hi\"", "line 1\nline 2"], ["plain", "", ""]])
    }

    @Test func skipsTheByteOrderMarkAndBlankLines() throws {
        #expect(try records("\u{FEFF}id,centre\n\n1,C01\n\r\n2,C02") == [["id", "centre"], ["1", "C01"], ["2", "C02"]])
    }

    @Test func keepsArabicBytesUntouched() throws {
        #expect(try records("تعليق,\"راضي جداً، شكراً\"\n") == [["تعليق", "راضي جداً، شكراً"]])
    }

    @Test func tellsTheLineEachRecordStartsOn() throws {
        var reader = CSVReader(bytes: Array("h\n\"a\nb\nc\"\nnext\n".utf8))
        #expect(try reader.next()?.line == 1)
        #expect(try reader.next()?.line == 2)
        #expect(try reader.next()?.line == 5)
    }

    @Test func reportsAStrayQuoteAndGoesOn() throws {
        var reader = CSVReader(bytes: Array("a,b\nx\"y,z\nok,1\n".utf8))
        _ = try reader.next()
        #expect(throws: CSVReader.ReadError.strayQuote(line: 2)) { try reader.next() }
        #expect(try reader.next()?.fields.map { String(decoding: $0, as: UTF8.self) } == ["ok", "1"])
    }

    @Test func reportsAnUnclosedQuote() throws {
        var reader = CSVReader(bytes: Array("a,b\n\"never closed,1\n2,3\n".utf8))
        _ = try reader.next()
        #expect(throws: CSVReader.ReadError.unclosedQuote(line: 2)) { try reader.next() }
        #expect(try reader.next() == nil)
    }

    @Test func writesWhatItReads() throws {
        let fields = ["plain", "with, comma", "with \"quote\"", "line\nbreak", "عربي"]
        #expect(try records(CSVWriter.row(fields)) == [fields])
    }
}
