import Foundation
import RidaSurvey

/// A record of a CSV file: its fields as byte ranges into the file, and the line it starts on.
public struct CSVRecord: Sendable {
    /// The 1-based line of the file the record starts on.
    public var line: Int
    /// Each field's bytes, quotes removed and doubled quotes undone.
    public var fields: [ArraySlice<UInt8>]
}

/// An RFC 4180 reader over bytes: commas (or another delimiter), double quotes, quoted fields
/// holding delimiters, quotes and line breaks, LF or CRLF line ends, an optional UTF-8 BOM.
///
/// It works on bytes, so Arabic text passes through untouched; fields are decoded as UTF-8 later.
public struct CSVReader: Sendable {
    public let bytes: [UInt8]
    public let delimiter: UInt8
    private(set) var position: Int
    private(set) var line = 1

    public init(bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        self.delimiter = delimiter
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        self.position = bytes.starts(with: bom) ? 3 : 0
    }

    public enum ReadError: RidaFailure, Equatable {
        /// A quoted field starting on `line` is never closed.
        case unclosedQuote(line: Int)
        /// A quote in the middle of an unquoted field, or text after a closing quote.
        case strayQuote(line: Int)

        public var kind: FailureKind { .invalid }
        public var code: String { "malformed_csv" }

        /// The problem at its line, as an import reports it for the row.
        public var problem: Problem {
            switch self {
            case .unclosedQuote(let line):
                Problem(line: line, reason: "a quoted field opened on this line is never closed")
            case .strayQuote(let line):
                Problem(line: line, reason: "a quote stands inside an unquoted field or after a closing quote; quote the whole field and double the inner quotes")
            }
        }

        public var problems: [Problem] { [problem] }
        public var description: String { problem.description }
    }

    /// The next record, nil at the end. Blank lines are skipped.
    ///
    /// After a `ReadError` the reader has moved to the next line, so reading can go on.
    public mutating func next() throws(ReadError) -> CSVRecord? {
        let n = bytes.count
        // Skip blank lines.
        while position < n, bytes[position] == 0x0A || bytes[position] == 0x0D {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < n else { return nil }
        let startLine = line
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(16)
        var i = position
        while true {
            if i < n, bytes[i] == 0x22 {
                // Quoted field.
                var buffer: [UInt8]? = nil
                var segmentStart = i + 1
                i += 1
                var closed = false
                while i < n {
                    let b = bytes[i]
                    if b == 0x22 {
                        if i + 1 < n, bytes[i + 1] == 0x22 {
                            if buffer == nil { buffer = [] }
                            buffer!.append(contentsOf: bytes[segmentStart...i])
                            i += 2
                            segmentStart = i
                            continue
                        }
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 }
                    i += 1
                }
                guard closed else {
                    position = n
                    throw .unclosedQuote(line: startLine)
                }
                if var buffer {
                    buffer.append(contentsOf: bytes[segmentStart..<i])
                    fields.append(buffer[...])
                } else {
                    fields.append(bytes[segmentStart..<i])
                }
                i += 1  // the closing quote
                if i < n, bytes[i] != delimiter, bytes[i] != 0x0A, bytes[i] != 0x0D {
                    skipLine(from: i)
                    throw .strayQuote(line: startLine)
                }
            } else {
                let start = i
                while i < n, bytes[i] != delimiter, bytes[i] != 0x0A, bytes[i] != 0x0D {
                    if bytes[i] == 0x22 {
                        skipLine(from: i)
                        throw .strayQuote(line: startLine)
                    }
                    i += 1
                }
                fields.append(bytes[start..<i])
            }
            if i < n, bytes[i] == delimiter {
                i += 1
                continue
            }
            // End of record: CRLF, LF, a lone CR, or the end of the file.
            if i < n, bytes[i] == 0x0D { i += 1 }
            if i < n, bytes[i] == 0x0A { i += 1 }
            line += 1
            position = i
            return CSVRecord(line: startLine, fields: fields)
        }
    }

    private mutating func skipLine(from index: Int) {
        var i = index
        while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        position = min(i + 1, bytes.count)
        line += 1
    }

    /// How far through the file the reader is, 0 to 1.
    public var progress: Double {
        bytes.isEmpty ? 1 : Double(position) / Double(bytes.count)
    }
}

/// Writes CSV the way `CSVReader` reads it, through `Escaping.csvField`: fields quoted when they hold a delimiter,
/// quote or line break, and a cell a spreadsheet would read as a formula prefixed with `'` (rejects and checklists are
/// opened in spreadsheets).
public enum CSVWriter {
    public static func field(_ text: String, delimiter: Character = ",") -> String {
        Escaping.csvField(text, delimiter: delimiter)
    }

    public static func row(_ fields: [String]) -> String {
        Escaping.csvRow(fields)
    }
}
