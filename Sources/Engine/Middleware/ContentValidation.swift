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
        guard let value = request.payload["content"] else { return }
        guard let content = value.stringValue else { throw ChatError.validation("'content' must be a string") }
        var characters = 0
        var letters = 0
        var capitals = 0
        var blank = true
        for character in content {
            characters += 1
            if characters > maxContentLength {
                throw ChatError.validation("content is longer than \(maxContentLength) characters")
            }
            if !character.isWhitespace { blank = false }
            if character.isUppercase { capitals += 1 }
            if character.isLetter { letters += 1 }
        }
        if blank { throw ChatError.validation("content must not be empty") }
        // The seed's rule: at least 10 characters of which more than 70 % are capitals reads as shouting.
        if characters >= 10 && Double(capitals) > 0.7 * Double(characters) {
            request.payload["content"] = .string(content.lowercased())
        }
        if !shorteners.isEmpty {
            let lowered = content.lowercased()
            if shorteners.contains(where: { lowered.contains($0) }) { request.flagged = true }
        }
    }
}
