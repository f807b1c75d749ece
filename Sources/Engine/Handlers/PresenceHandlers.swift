import Actors
import Wire

/// Presence and typing indicators.
struct PresenceHandlers {
    let services: ChatServices
    let presence: PresenceService
    let typing: TypingService

    func status(_ status: PresenceStatus) -> Route.Handler {
        { [presence] request in
            await presence.set(request.user, status, now: request.now)
            return Reply(status.rawValue, ["ttl": status == .offline ? .null : .number(services.configuration.presenceTTL)])
        }
    }

    func startTyping(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        try await typing.start(request.user, in: room, now: request.now)
        return Reply("typing_started", ["room_id": .string(room.id)])
    }

    func stopTyping(_ request: inout Request) async throws -> Reply {
        let room = try services.room(request.parameter("room_id"), for: request.user)
        guard await room.isMember(request.user.userId) else { throw ChatError.notMember }
        await typing.stop(request.user.userId, in: room)
        return Reply("typing_stopped", ["room_id": .string(room.id)])
    }
}
