import Foundation

/// An invitation's token: 128 random bits from the system's secure generator, as 22 characters of base64url (no
/// padding), unguessable and free of personal data. Only its SHA-256 is stored (`hash`), as a key's.
public struct InvitationToken: Sendable, Hashable {
    public let text: String

    /// A new token.
    public static func generate() -> InvitationToken {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return InvitationToken(text: text)
    }

    /// `text` as a token when it could be one (22 base64url characters), else nil: anything else is never looked up.
    public init?(_ text: String) {
        guard text.utf8.count == 22, text.utf8.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }) else { return nil }
        self.text = text
    }

    private init(text: String) { self.text = text }

    /// The stored form: SHA-256 in lowercase hex.
    public var hash: String { APIKeySecret.hash(text) }
}
