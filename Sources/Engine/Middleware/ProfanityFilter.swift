import Actors
import Wire

/// Masks listed words in `content` with `*`: whole words only, case-insensitively.
public struct ProfanityFilter: Middleware {
    private let words: Set<String>

    public init(words: some Sequence<String>) {
        self.words = Set(words.map { $0.lowercased() }.filter { !$0.isEmpty })
    }

    public func process(_ request: inout Request) throws(ChatError) {
        guard !words.isEmpty else { return }
        for key in ContentValidation.textKeys {
            guard let text = request.payload[key]?.stringValue else { continue }
            let masked = mask(text)
            if masked != text { request.payload[key] = .string(masked) }
        }
    }

    /// `content` with every listed whole word replaced by as many `*` as it has characters.
    public func mask(_ content: String) -> String {
        var result = ""
        result.reserveCapacity(content.utf8.count)
        var word = ""
        func flush() {
            if words.contains(word.lowercased()) {
                result += String(repeating: "*", count: word.count)
            } else {
                result += word
            }
            word = ""
        }
        for character in content {
            if character.isLetter || character.isNumber || character == "'" {
                word.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
