/// One user's presence record: status, when it lapses, when they were last seen.
public actor UserPresence {
    public nonisolated let userId: String
    let effects: any RoomEffects
    let board: PresenceBoard
    var name: String
    var status: PresenceStatus = .offline
    var expiresAt: Double = 0
    var lastSeen: Double

    public init(userId: String, name: String, lastSeen: Double, effects: any RoomEffects, board: PresenceBoard) {
        self.userId = userId
        self.name = name
        self.lastSeen = lastSeen
        self.effects = effects
        self.board = board
    }

    /// Sets the status. A change is announced once to `audience`; re-sending the same status only
    /// refreshes its TTL. Returns whether it changed.
    @discardableResult
    public func set(_ newStatus: PresenceStatus, name: String, now: Double, ttl: Double, audience: [String]) -> Bool {
        self.name = name
        let changed = newStatus != currentStatus(now: now)
        status = newStatus
        expiresAt = newStatus == .offline ? now : now + ttl
        lastSeen = now
        publish()
        if changed { announce(audience) }
        return changed
    }

    /// Turns a lapsed online/away status into offline and announces it. Returns whether it lapsed.
    @discardableResult
    public func expire(now: Double, audience: [String]) -> Bool {
        guard status != .offline, expiresAt <= now else { return false }
        status = .offline
        publish()
        announce(audience)
        return true
    }

    func currentStatus(now: Double) -> PresenceStatus {
        status != .offline && expiresAt > now ? status : .offline
    }

    private func publish() {
        board.set(userId, PresenceBoard.Entry(status: status, expiresAt: expiresAt, lastSeen: lastSeen))
    }

    private func announce(_ audience: [String]) {
        effects.deliver(.userStatus(userId: userId, name: name, status: status, lastSeen: lastSeen), to: audience)
    }
}
