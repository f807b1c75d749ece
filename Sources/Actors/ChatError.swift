/// A refused request: a stable wire `code` plus a human message.
public struct ChatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable error codes of the contract (SPEC §3).
    public enum Code: String, Sendable, CaseIterable {
        case unauthorized, invalidPayload = "invalid_payload", validationFailed = "validation_failed"
        case notFound = "not_found", notMember = "not_member", forbidden, banned, muted
        case roomFull = "room_full", rateLimited = "rate_limited", tooLarge = "too_large", conflict
        case unknownRoute = "unknown_route", `internal`
    }

    public var code: Code
    public var message: String
    /// Seconds until a rate-limited request may be retried.
    public var retryAfter: Double?

    public init(_ code: Code, _ message: String, retryAfter: Double? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func notFound(_ what: String) -> ChatError { ChatError(.notFound, "\(what) not found") }
    public static func validation(_ message: String) -> ChatError { ChatError(.validationFailed, message) }
    public static let notMember = ChatError(.notMember, "you are not a member of this room")
    /// Joining or inviting into a direct room, whether or not it exists.
    public static let directRoomClosed = ChatError(.forbidden, "nobody can join or be invited into a private conversation")
}
