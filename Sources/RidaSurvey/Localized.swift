/// A language Rida speaks. Arabic is the default everywhere a person reads.
public enum Language: String, Codable, Sendable, CaseIterable {
    case ar
    case en
}

/// A text in Arabic and English, as the guide's definitions carry them.
public struct LocalizedText: Codable, Sendable, Hashable {
    public var ar: String
    public var en: String

    public init(ar: String, en: String) {
        self.ar = ar
        self.en = en
    }

    /// The text in `language`.
    public subscript(_ language: Language) -> String {
        switch language {
        case .ar: ar
        case .en: en
        }
    }
}
