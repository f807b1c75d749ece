import Actors
import Wire

/// The seed's message rules: size caps, no empty content, shouting lowered, links to shorteners flagged.
public struct ContentValidation: Middleware {
    /// Longest content, in Unicode scalars (SPEC §6), so at most 4 × this many bytes.
    public var maxContentLength: Int
    /// Largest payload in bytes.
    public var maxPayloadBytes: Int
    /// Hosts whose links mark a message `flagged`.
    public var shorteners: [String]

    public init(maxContentLength: Int = 4000, maxPayloadBytes: Int = 64 * 1024, shorteners: [String]) {
        self.maxContentLength = maxContentLength
        self.maxPayloadBytes = maxPayloadBytes
        self.shorteners = shorteners.map { $0.lowercased() }
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
        // Scalars, not grapheme clusters: a cluster has no size limit (one letter and 8000 combining
        // marks is one cluster of 16 KB), a scalar is at most 4 bytes.
        var characters = 0
        var capitals = 0
        var blank = true
        for scalar in content.unicodeScalars {
            characters += 1
            if characters > maxContentLength {
                throw ChatError.validation("'\(key)' is longer than \(maxContentLength) characters")
            }
            let properties = scalar.properties
            if !properties.isWhitespace { blank = false }
            if properties.isUppercase { capitals += 1 }
        }
        if blank { throw ChatError.validation("'\(key)' must not be empty") }
        if !shorteners.isEmpty {
            let lowered = content.lowercased()
            if shorteners.contains(where: { lowered.contains($0) }) { request.flagged = true }
        }
        // The seed's rule: at least 10 characters of which more than 70 % are capitals reads as shouting.
        if characters >= 10 && Double(capitals) > 0.7 * Double(characters) { return content.lowercased() }
        return content
    }
}
