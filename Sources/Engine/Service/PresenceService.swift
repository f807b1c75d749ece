import Actors
import Synchronization

/// Presence: one `UserPresence` actor per user, a TTL per device on the shared scheduler, and
/// `user_status` sent once to each user who shares a room with the subject when the status the user's
/// devices make together changes.
final class PresenceService: Sendable {
    let services: ChatServices
    private let records = Mutex<[String: UserPresence]>([:])

    init(services: ChatServices) {
        self.services = services
    }

    func record(for userId: String, name: String) -> UserPresence {
        records.withLock { records in
            if let existing = records[userId] { return existing }
            let lastSeen = services.presence.entry(of: userId)?.lastSeen ?? 0
            let record = UserPresence(
                userId: userId, name: name, lastSeen: lastSeen, maxDevices: services.configuration.limits.devicesPerUser,
                effects: services.delivery, board: services.presence)
            records[userId] = record
            return record
        }
    }

    /// Everyone who shares at least one room with `userId`, each once.
    func audience(of userId: String) async -> [String] {
        var audience = Set<String>()
        for roomId in services.index.rooms(of: userId) {
            guard let room = services.registry.room(roomId) else { continue }
            audience.formUnion(await room.memberIds())
        }
        audience.remove(userId)
        return Array(audience)
    }

    /// Sets one device's status and (re)arms that device's expiry. Returns whether the user's combined
    /// status changed.
    @discardableResult
    func set(_ user: Identity, _ status: PresenceStatus, device: String, now: Double) async -> Bool {
        let ttl = services.configuration.presenceTTL
        let record = record(for: user.userId, name: user.name)
        let outcome = await record.set(
            status, device: device, name: user.name, now: now, ttl: ttl, audience: await audience(of: user.userId))
        for dropped in outcome.dropped { services.scheduler.cancel(Self.expiryKey(user.userId, device: dropped)) }
        let key = Self.expiryKey(user.userId, device: device)
        if status == .offline {
            services.scheduler.cancel(key)
        } else {
            services.scheduler.schedule(key, at: now + ttl) { [self] in await self.expire(user.userId) }
        }
        if outcome.changed { _ = try? services.delivery.record(.lastSeen(userId: user.userId, at: now)) }
        return outcome.changed
    }

    func expire(_ userId: String) async {
        guard let record = records.withLock({ $0[userId] }) else { return }
        await record.expire(now: services.now(), audience: await audience(of: userId))
    }

    /// One deadline per device; NUL cannot occur in a user id, so keys of different users never meet.
    static func expiryKey(_ userId: String, device: String) -> String { "presence:\(userId)\u{0}\(device)" }
}
