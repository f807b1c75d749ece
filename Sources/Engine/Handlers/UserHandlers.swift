import Actors
import Wire

/// What a user decides about other users: whom they block.
struct UserHandlers {
    let services: ChatServices

    /// Blocks `{user_id}` for the caller, or unblocks them with `unblock: true`. Doing it twice changes
    /// nothing and answers the same.
    func block(_ request: inout Request) async throws -> Reply {
        let target = request.parameter("user_id")
        let user = request.user
        guard isValidUserID(target) else { throw ChatError.validation("'\(target)' is not a valid user id") }
        guard target != user.userId else { throw ChatError.validation("you cannot block yourself") }
        let blocked = !(try request.optionalBool("unblock") ?? false)
        let limit = services.configuration.limits.blockedUsersPerUser
        try services.blocks.set(user.userId, blocks: target, blocked, limit: limit) { () throws(ChatError) in
            _ = try services.delivery.record(.block(blockerId: user.userId, userId: target, blocked: blocked))
        }
        return Self.blockReply(userId: target, blocked: blocked)
    }

    static func blockReply(userId: String, blocked: Bool) -> Reply {
        Reply(blocked ? "blocked" : "unblocked", ["user_id": .string(userId)])
    }

    /// The reply rebuilt after a crash (Route.recover): a retry then finds it remembered and is not
    /// applied again, so it cannot undo an unblock that came after it.
    static func recoverBlock(_ changes: [UnansweredRequest.Change]) -> Reply? {
        for change in changes {
            if case .block(_, let userId, let blocked) = change.entry { return blockReply(userId: userId, blocked: blocked) }
        }
        return nil
    }

    /// The ids the caller blocks, sorted.
    func blocked(_ request: inout Request) async throws -> Reply {
        let users = services.blocks.blocked(by: request.user.userId)
        return Reply("success", ["users": .array(users.map(JSONValue.string)), "count": .number(Double(users.count))])
    }
}
