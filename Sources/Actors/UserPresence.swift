/// One user's presence record: their devices' statuses, what the user's audience was last told, and when
/// the user was last seen.
public actor UserPresence {
    public nonisolated let userId: String
    let effects: any RoomEffects
    let board: PresenceBoard
    var name: String
    var devices: DevicePresence
    /// The combined status last announced: `user_status` goes out only when the combined status moves
    /// away from it, however many devices come and go.
    var announced: PresenceStatus = .offline
    var lastSeen: Double

    public init(
        userId: String, name: String, lastSeen: Double, maxDevices: Int = 32, effects: any RoomEffects, board: PresenceBoard
    ) {
        self.userId = userId
        self.name = name
        self.lastSeen = lastSeen
        self.devices = DevicePresence(maxDevices: maxDevices)
        self.effects = effects
        self.board = board
    }

    /// What one status request did.
    public struct Outcome: Sendable, Equatable {
        /// Whether the combined status changed (and was announced).
        public var changed: Bool
        /// Devices forgotten to make room for a new one; their expiries need not fire.
        public var dropped: [String]
    }

    /// Sets `device`'s status. A change of the combined status is announced once to `audience`; anything
    /// else (a refresh, a second device, one of two devices going offline) only updates the record.
    public func set(
        _ newStatus: PresenceStatus, device: String = DevicePresence.defaultDevice, name: String, now: Double, ttl: Double,
        audience: [String]
    ) -> Outcome {
        self.name = name
        let dropped = devices.set(device, newStatus, now: now, ttl: ttl)
        lastSeen = now
        return Outcome(changed: settle(now: now, audience: audience), dropped: dropped)
    }

    /// Forgets devices whose status lapsed and announces the combined status if that changed it. Returns
    /// whether it changed.
    @discardableResult
    public func expire(now: Double, audience: [String]) -> Bool {
        guard !devices.expire(now: now).isEmpty else { return false }
        return settle(now: now, audience: audience)
    }

    /// The combined status at `now`.
    public func status(now: Double) -> PresenceStatus { devices.status(now: now) }

    /// Publishes the record to the board and announces a changed combined status.
    private func settle(now: Double, audience: [String]) -> Bool {
        let status = devices.status(now: now)
        board.set(userId, PresenceBoard.Entry(status: status, expiresAt: devices.expiresAt(now: now), lastSeen: lastSeen))
        guard status != announced else { return false }
        announced = status
        effects.deliver(.userStatus(userId: userId, name: name, status: status, lastSeen: lastSeen), to: audience)
        return true
    }
}
