import Actors
import Wire

/// Masks listed words in `content` with `*`: whole words only, case-insensitively.
public struct ProfanityFilter: Middleware {
    private let words: Set<String>
    /// The byte lengths of the listed words, so most words of a text are passed over without a lookup.
    private let lengths: ClosedRange<Int>

    public init(words: some Sequence<String>) {
        self.words = Set(words.map { $0.lowercased() }.filter { !$0.isEmpty })
        let counts = self.words.map(\.utf8.count)
        lengths = (counts.min() ?? 1)...(counts.max() ?? 1)
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
        maskASCII(content) ?? maskCharacters(content)
    }

    /// `mask` for ASCII text, on bytes (nil for any other text): a word is `[A-Za-z0-9']+`, as
    /// `Character.isLetter`/`isNumber` say of ASCII.
    func maskASCII(_ content: String) -> String? {
        ASCIIText.withBytes(of: content) { bytes in
            maskedBytes(bytes).map { String(decoding: $0, as: UTF8.self) } ?? content
        }
    }

    /// The masked copy of ASCII `bytes`, or nil if nothing is masked.
    private func maskedBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var masked: [UInt8]?
        var start = 0
        var lowered = [UInt8]()
        func isWordByte(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || byte == 0x27
        }
        for index in 0...bytes.count {
            if index < bytes.count && isWordByte(bytes[index]) { continue }
            defer { start = index + 1 }
            let length = index - start
            guard length > 0, lengths.contains(length) else { continue }
            lowered.removeAll(keepingCapacity: true)
            for byte in bytes[start..<index] { lowered.append(ASCIIText.lowercased(byte)) }
            guard words.contains(String(decoding: lowered, as: UTF8.self)) else { continue }
            if masked == nil { masked = Array(bytes) }
            for position in start..<index { masked![position] = 0x2a }
        }
        return masked
    }

    /// `mask` by Unicode's character properties, for any text.
    func maskCharacters(_ content: String) -> String {
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
