import Actors
import Synchronization

/// Typing indicators: one `TypingTracker` actor per room, expiries on the shared scheduler.
final class TypingService: Sendable {
    let services: ChatServices
    private let trackers = Mutex<[String: TypingTracker]>([:])

    init(services: ChatServices) {
        self.services = services
    }

    func tracker(_ roomId: String) -> TypingTracker {
        trackers.withLock { trackers in
            if let existing = trackers[roomId] { return existing }
            let tracker = TypingTracker(roomId: roomId, effects: services.delivery)
            trackers[roomId] = tracker
            return tracker
        }
    }

    /// Starts or refreshes typing; returns whether `typing_start` went out.
    func start(_ user: Identity, in room: RoomActor, now: Double) async throws(ChatError) -> Bool {
        let audience = await room.audience()
        guard audience.members.contains(user.userId) else { throw ChatError.notMember }
        let expiresAt = now + services.configuration.typingTTL
        let started = await tracker(room.id).start(user.userId, name: user.name, expiresAt: expiresAt, audience: audience)
        services.scheduler.schedule("typing:\(room.id):\(user.userId)", at: expiresAt) { [self] in
            await self.expire(room)
        }
        return started
    }

    /// Stops typing (explicitly or because the typist sent a message).
    @discardableResult
    func stop(_ userId: String, in room: RoomActor) async -> Bool {
        let tracker = trackers.withLock { $0[room.id] }
        guard let tracker else { return false }
        services.scheduler.cancel("typing:\(room.id):\(userId)")
        return await tracker.stop(userId, audience: await room.audience())
    }

    func expire(_ room: RoomActor) async {
        guard let tracker = trackers.withLock({ $0[room.id] }) else { return }
        await tracker.expire(now: services.now(), audience: await room.audience())
    }
}
