/// Who is typing in one room. A start is announced once; repeating it within the TTL only extends it;
/// an expiry, a stop or a message from the typist announces the stop. `audience` is the room's as it is
/// at the call; the typist's own inbox never gets their typing (a room topic carries it to everyone).
public actor TypingTracker {
    public nonisolated let roomId: String
    let effects: any RoomEffects
    /// Typist → (display name, expiry in Unix seconds).
    var typists: [String: (name: String, expiresAt: Double)] = [:]

    public init(roomId: String, effects: any RoomEffects) {
        self.roomId = roomId
        self.effects = effects
    }

    /// Marks `userId` typing until `expiresAt`. Returns whether a `typing_start` went out.
    @discardableResult
    public func start(_ userId: String, name: String, expiresAt: Double, audience: RoomAudience) -> Bool {
        let isNew = typists[userId] == nil
        typists[userId] = (name, expiresAt)
        if isNew { announce(userId, name: name, started: true, audience: audience) }
        return isNew
    }

    /// Ends `userId`'s typing, if any. Returns whether a `typing_stop` went out.
    @discardableResult
    public func stop(_ userId: String, audience: RoomAudience) -> Bool {
        guard let typist = typists.removeValue(forKey: userId) else { return false }
        announce(userId, name: typist.name, started: false, audience: audience)
        return true
    }

    /// Ends every typing that lapsed by `now`.
    public func expire(now: Double, audience: RoomAudience) {
        for (userId, typist) in typists where typist.expiresAt <= now {
            typists[userId] = nil
            announce(userId, name: typist.name, started: false, audience: audience)
        }
    }

    /// Users typing now.
    public var typingUsers: [String] { Array(typists.keys) }

    private func announce(_ userId: String, name: String, started: Bool, audience: RoomAudience) {
        let others = RoomAudience(
            roomId: audience.roomId, isDirect: audience.isDirect, topicEpoch: audience.topicEpoch,
            members: audience.members.filter { $0 != userId })
        effects.broadcast(.typing(roomId: roomId, userId: userId, name: name, started: started), in: others)
    }
}
