import CQrencode
import RidaSurvey

/// A QR code of a short text (an invitation link, a counter sign's address), made by Debian's libqrencode, drawn as SVG
/// for pages and print and as PNG for whatever cannot show SVG (a receipt printer, an SMS gateway's preview).
///
/// Error correction is level M (15% of the code may be lost: a creased receipt, a scratched sign). The drawings have
/// the four-module quiet zone the standard asks for, black on white.
public struct QRCode: Sendable, Hashable {
    /// The text encoded, byte for byte (UTF-8).
    public let text: String
    /// Modules per side, without the quiet zone.
    public let size: Int
    /// `size × size` modules, row by row: true is dark.
    public let modules: [Bool]

    /// The quiet zone around the code, in modules.
    public static let quietZone = 4
    /// libqrencode refuses longer texts at level M (version 40 holds 2,331 bytes); links are far shorter.
    public static let maximumBytes = 2_331

    public init(_ text: String) throws(QRCodeError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumBytes else { throw QRCodeError(length: bytes.count) }
        let made: (Int, [Bool])? = bytes.withUnsafeBufferPointer { buffer in
            guard let code = QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, QR_ECLEVEL_M) else { return nil }
            defer { QRcode_free(code) }
            let width = Int(code.pointee.width)
            var modules = [Bool](repeating: false, count: width * width)
            for i in 0..<(width * width) { modules[i] = code.pointee.data[i] & 1 == 1 }
            return (width, modules)
        }
        guard let (size, modules) = made else { throw QRCodeError(length: bytes.count) }
        self.text = text
        self.size = size
        self.modules = modules
    }

    /// The code with its dark modules given, as read back from a drawing (for tests and checks).
    public init(text: String, size: Int, modules: [Bool]) {
        precondition(modules.count == size * size, "a QR code has size × size modules")
        self.text = text
        self.size = size
        self.modules = modules
    }

    public func isDark(row: Int, column: Int) -> Bool {
        modules[row * size + column]
    }

    /// The code as an SVG element of `pixels` per side (it scales: print sizes it in millimetres with CSS), one path of
    /// unit squares on a white square, the quiet zone included. `label` names it for screen readers (escaped here).
    public func svg(pixels: Int = 240, label: String) -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        path.reserveCapacity(modules.count * 4)
        for row in 0..<size {
            for column in 0..<size where isDark(row: row, column: column) {
                path += "M\(column + Self.quietZone) \(row + Self.quietZone)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(Escaping.html(label))" width="\(pixels)" \
            height="\(pixels)" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The code as a PNG image, `scale` pixels per module (1 to 64), one bit per pixel, the quiet zone included.
    public func png(scale: Int = 8) -> [UInt8] {
        let scale = min(64, max(1, scale))
        let side = (size + 2 * Self.quietZone) * scale
        let rowBytes = (side + 7) / 8
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * side)
        for y in 0..<side {
            raw.append(0)  // filter: none
            var row = [UInt8](repeating: 0, count: rowBytes)
            for x in 0..<side {
                let (r, c) = (y / scale - Self.quietZone, x / scale - Self.quietZone)
                let dark = r >= 0 && r < size && c >= 0 && c < size && isDark(row: r, column: c)
                if !dark { row[x / 8] |= 0x80 >> UInt8(x % 8) }  // grey level 1 is white
            }
            raw += row
        }
        var header: [UInt8] = []
        header += PNG.bigEndian(UInt32(side))
        header += PNG.bigEndian(UInt32(side))
        header += [1, 0, 0, 0, 0]  // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
        return PNG.signature + PNG.chunk("IHDR", header) + PNG.chunk("IDAT", PNG.zlibStored(raw)) + PNG.chunk("IEND", [])
    }
}

/// The text cannot be made a QR code: empty, or longer than a QR code holds.
public struct QRCodeError: RidaFailure {
    public var length: Int
    public var kind: FailureKind { .invalid }
    public var code: String { "qr_code_text" }
    public var description: String {
        length == 0
            ? "A QR code needs a text to encode; this one is empty."
            : "A QR code holds at most \(QRCode.maximumBytes) bytes at error-correction level M; this text has \(length)."
    }
}

/// The little of PNG a QR code needs: chunks with their CRC, and a zlib stream of stored (uncompressed) blocks, which
/// every reader takes and which a one-bit image of a few thousand bytes does not miss.
enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65_535, data.count - start)
            let final: UInt8 = start + length == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<start + length]
            start += length
        } while start < data.count
        return out + bigEndian(adler32(data))
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
