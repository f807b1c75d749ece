import Actors
import Wire

/// Presence and typing indicators.
struct PresenceHandlers {
    let services: ChatServices
    let presence: PresenceService
    let typing: TypingService

    func status(_ status: PresenceStatus) -> Route.Handler {
        { [presence] request in
            let device = try Self.device(request)
            await presence.set(request.user, status, device: device, now: request.now)
            return Reply(status.rawValue, [
                "ttl": status == .offline ? .null : .number(services.configuration.presenceTTL), "device": .string(device),
            ])
        }
    }

    /// The `device` a presence request speaks for: 1–64 characters without control characters, `default`
    /// when absent (clients that know nothing of devices are one device each).
    static func device(_ request: Request) throws(ChatError) -> String {
        guard let device = try request.optionalString("device", maxLength: 64) else { return DevicePresence.defaultDevice }
        guard !device.isEmpty, !device.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ChatError.validation("'device' must be 1–64 characters without control characters")
        }
        return device
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
