import Actors
import Wire

/// The seed's message rules: size caps, no empty content, shouting lowered, links to shorteners flagged.
public struct ContentValidation: Middleware {
    /// Longest content, in Unicode scalars (SPEC §6), so at most 4 × this many bytes.
    public var maxContentLength: Int
    /// Largest payload in bytes.
    public var maxPayloadBytes: Int
    /// Hosts whose links mark a message `flagged`, lowercased.
    public let shorteners: [String]
    private let shortenerBytes: [[UInt8]]

    public init(maxContentLength: Int = 4000, maxPayloadBytes: Int = 64 * 1024, shorteners: [String]) {
        self.maxContentLength = maxContentLength
        self.maxPayloadBytes = maxPayloadBytes
        self.shorteners = shorteners.map { $0.lowercased() }.filter { !$0.isEmpty }
        shortenerBytes = self.shorteners.map { Array($0.utf8) }
    }

    public func process(_ request: inout Request) throws(ChatError) {
        guard request.payloadSize <= maxPayloadBytes else {
            throw ChatError(.tooLarge, "payload is larger than \(maxPayloadBytes) bytes")
        }
        for key in Self.textKeys {
            guard let value = request.payload[key], !value.isNull else { continue }
            guard let text = value.stringValue else { throw ChatError.validation("'\(key)' must be a string") }
            request.payload[key] = .string(try check(text, key: key, request: &request))
        }
    }

    /// The fields that carry user-written text.
    static let textKeys = ["content", "caption"]

    /// Applies the rules to one text; returns it as it should be stored.
    func check(_ content: String, key: String, request: inout Request) throws(ChatError) -> String {
        let (characters, capitals, blank) = try Self.measure(content, key: key, limit: maxContentLength)
        if blank { throw ChatError.validation("'\(key)' must not be empty") }
        if shortenerBytes.contains(where: { Self.contains(content, lowercased: $0) }) { request.flagged = true }
        // The seed's rule: at least 10 characters of which more than 70 % are capitals reads as shouting.
        if characters >= 10 && Double(capitals) > 0.7 * Double(characters) { return content.lowercased() }
        return content
    }

    /// Scalars, capitals, and whether all are white space. Scalars, not grapheme clusters: a cluster has no
    /// size limit (one letter and 8000 combining marks is one cluster of 16 KB), a scalar is at most 4 bytes.
    static func measure(_ content: String, key: String, limit: Int) throws(ChatError) -> (Int, Int, Bool) {
        let counts = measureASCII(content) ?? measureScalars(content, limit: limit)
        guard counts.characters <= limit else { throw ChatError.validation("'\(key)' is longer than \(limit) characters") }
        return counts
    }

    /// `measure` of ASCII text, on bytes (nil for any other text).
    static func measureASCII(_ content: String) -> (characters: Int, capitals: Int, blank: Bool)? {
        ASCIIText.withBytes(of: content) { bytes in
            var capitals = 0
            var blank = true
            for byte in bytes {
                // Unicode's White_Space among ASCII: tab, line feed, vertical tab, form feed, return, space.
                if byte != 0x20 && !(0x09...0x0d).contains(byte) { blank = false }
                if ASCIIText.isUppercase(byte) { capitals += 1 }
            }
            return (bytes.count, capitals, blank)
        }
    }

    /// `measure` by Unicode's properties; stops counting one past `limit`.
    static func measureScalars(_ content: String, limit: Int) -> (characters: Int, capitals: Int, blank: Bool) {
        var characters = 0
        var capitals = 0
        var blank = true
        for scalar in content.unicodeScalars {
            characters += 1
            if characters > limit { break }
            let properties = scalar.properties
            if !properties.isWhitespace { blank = false }
            if properties.isUppercase { capitals += 1 }
        }
        return (characters, capitals, blank)
    }

    /// Whether `text` contains `pattern` (already lowercased) ignoring case. Between ASCII texts case is
    /// folded on bytes; anything else is lowercased by Unicode's rules (the Kelvin sign lowers to `k`).
    static func contains(_ text: String, lowercased pattern: [UInt8]) -> Bool {
        let folded = !pattern.allSatisfy({ $0 < 0x80 }) ? nil : ASCIIText.withBytes(of: text) { bytes in
            guard bytes.count >= pattern.count else { return false }
            for start in 0...(bytes.count - pattern.count) {
                var index = 0
                while index < pattern.count && ASCIIText.lowercased(bytes[start + index]) == pattern[index] { index += 1 }
                if index == pattern.count { return true }
            }
            return false
        }
        return folded ?? text.lowercased().contains(String(decoding: pattern, as: UTF8.self))
    }
}
