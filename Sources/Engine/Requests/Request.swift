import Actors
import Wire

/// One attributable request on its way through middleware to a handler.
public struct Request: Sendable {
    /// The full MQTT topic, echoed in the reply.
    public let topic: String
    public let match: RouteMatch
    /// The JSON object sent; middleware may rewrite it (lower-casing, masking).
    public var payload: [String: JSONValue]
    public let user: Identity
    /// Size of the raw payload in bytes.
    public let payloadSize: Int
    /// Unix seconds when the engine took the request.
    public let now: Double
    /// Set by validation when content links to a known URL shortener.
    public var flagged = false

    public init(topic: String, match: RouteMatch, payload: [String: JSONValue], user: Identity, payloadSize: Int, now: Double) {
        self.topic = topic
        self.match = match
        self.payload = payload
        self.user = user
        self.payloadSize = payloadSize
        self.now = now
    }

    /// A route parameter; routes only match when each is present.
    public func parameter(_ name: String) -> String { match.parameter(name) ?? "" }

    // MARK: Typed payload fields

    /// An optional string field of at most `maxLength` Unicode scalars (SPEC §6 counts scalars, not
    /// grapheme clusters: one letter with thousands of combining marks is one cluster but thousands of
    /// scalars), and so at most 4 × `maxLength` bytes of UTF-8. Any other JSON type is a validation error.
    public func optionalString(_ key: String, maxLength: Int) throws(ChatError) -> String? {
        guard let value = payload[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw ChatError.validation("'\(key)' must be a string") }
        guard Self.fits(text, maxScalars: maxLength) else {
            throw ChatError.validation("'\(key)' is longer than \(maxLength) characters")
        }
        return text
    }

    /// Whether `text` has at most `maxScalars` Unicode scalars; stops counting at the first one past it.
    static func fits(_ text: String, maxScalars: Int) -> Bool {
        // Every scalar takes 1–4 bytes: the byte count settles most cases without a walk.
        let bytes = text.utf8.count
        if bytes <= maxScalars { return true }
        if maxScalars < Int.max / 4, bytes > 4 * maxScalars { return false }
        var scalars = 0
        for _ in text.unicodeScalars {
            scalars += 1
            if scalars > maxScalars { return false }
        }
        return true
    }

    /// A required non-empty string field.
    public func string(_ key: String, maxLength: Int) throws(ChatError) -> String {
        guard let text = try optionalString(key, maxLength: maxLength), !text.isEmpty else {
            throw ChatError.validation("'\(key)' is required")
        }
        return text
    }

    /// An optional integer field within `range`.
    public func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(ChatError) -> Int? {
        guard let value = payload[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw ChatError.validation("'\(key)' must be an integer") }
        guard range.contains(number) else {
            throw ChatError.validation("'\(key)' must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// An optional boolean field.
    public func optionalBool(_ key: String) throws(ChatError) -> Bool? {
        guard let value = payload[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw ChatError.validation("'\(key)' must be true or false") }
        return flag
    }

    /// An id that must be one valid user id (the `[A-Za-z0-9_.-]{1,64}` rule).
    public func userIdField(_ key: String) throws(ChatError) -> String {
        let value = try string(key, maxLength: 64)
        guard isValidUserID(value) else { throw ChatError.validation("'\(key)' is not a valid user id") }
        return value
    }
}
