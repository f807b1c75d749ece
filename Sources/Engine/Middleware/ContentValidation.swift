import Actors
import Wire

/// The seed's message rules: size caps, no empty content, shouting lowered, links to shorteners flagged.
public struct ContentValidation: Middleware {
    /// Longest content, in Unicode characters.
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
        var characters = 0
        var capitals = 0
        var blank = true
        for character in content {
            characters += 1
            if characters > maxContentLength {
                throw ChatError.validation("'\(key)' is longer than \(maxContentLength) characters")
            }
            if !character.isWhitespace { blank = false }
            if character.isUppercase { capitals += 1 }
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
