@testable import Actors
import Testing

/// How a user's devices make one status, without a broker.
struct DevicePresenceTests {
    @Test func onlineBeatsAwayBeatsOffline() {
        var presence = DevicePresence(maxDevices: 32)
        #expect(presence.status(now: 0) == .offline)
        presence.set("laptop", .away, now: 0, ttl: 100)
        #expect(presence.status(now: 1) == .away)
        presence.set("phone", .online, now: 1, ttl: 100)
        #expect(presence.status(now: 2) == .online)
        presence.set("phone", .offline, now: 2, ttl: 100)
        #expect(presence.status(now: 3) == .away)
        presence.set("laptop", .offline, now: 3, ttl: 100)
        #expect(presence.status(now: 4) == .offline)
        #expect(presence.devices.isEmpty)
    }

    @Test func oneDeviceGoingOfflineChangesNothingWhileAnotherIsOnline() {
        var presence = DevicePresence(maxDevices: 32)
        presence.set("a", .online, now: 0, ttl: 100)
        presence.set("b", .online, now: 0, ttl: 100)
        presence.set("a", .offline, now: 1, ttl: 100)
        #expect(presence.status(now: 1) == .online)
        // Offline for a device never heard of: still nothing.
        presence.set("never-seen", .offline, now: 2, ttl: 100)
        #expect(presence.status(now: 2) == .online)
    }

    @Test func eachDeviceLapsesOnItsOwn() {
        var presence = DevicePresence(maxDevices: 32)
        presence.set("phone", .online, now: 0, ttl: 10)
        presence.set("laptop", .away, now: 5, ttl: 10)
        #expect(presence.expiresAt(now: 1) == 15)
        // A lapsed device counts as offline even before the sweep drops it.
        #expect(presence.status(now: 10) == .away)
        #expect(presence.expire(now: 10) == ["phone"])
        #expect(presence.status(now: 10) == .away)
        #expect(presence.expire(now: 12).isEmpty)
        #expect(presence.expire(now: 15) == ["laptop"])
        #expect(presence.status(now: 15) == .offline)
        #expect(presence.expiresAt(now: 15) == 15)
    }

    @Test func aRefreshPushesOnlyThatDevicesDeadline() {
        var presence = DevicePresence(maxDevices: 32)
        presence.set("a", .online, now: 0, ttl: 10)
        presence.set("b", .online, now: 0, ttl: 10)
        presence.set("a", .online, now: 8, ttl: 10)
        #expect(presence.expire(now: 10) == ["b"])
        #expect(presence.status(now: 10) == .online)
    }

    @Test func aNewDeviceBeyondTheBoundReplacesLapsedOnesFirstThenTheStalest() {
        var presence = DevicePresence(maxDevices: 2)
        presence.set("old", .online, now: 0, ttl: 5)
        presence.set("fresh", .online, now: 3, ttl: 100)
        // "old" has lapsed: it makes room.
        #expect(presence.set("third", .away, now: 6, ttl: 100) == ["old"])
        #expect(Set(presence.devices.keys) == ["fresh", "third"])
        // Nothing lapsed: the least recently heard device goes.
        #expect(presence.set("fourth", .online, now: 7, ttl: 100) == ["fresh"])
        #expect(Set(presence.devices.keys) == ["third", "fourth"])
        // A device already kept is only refreshed.
        #expect(presence.set("third", .online, now: 8, ttl: 100).isEmpty)
        #expect(presence.devices.count == 2)
    }
}

/// `user_status` goes out once per change of the combined status, however devices come and go.
struct UserPresenceTests {
    func statuses(_ effects: RecordingEffects) -> [PresenceStatus] {
        effects.events.withLock { events in
            events.compactMap { event, _ in
                if case .userStatus(_, _, let status, _) = event { return status }
                return nil
            }
        }
    }

    @Test func exactlyOneAnnouncementPerCombinedChange() async {
        let effects = RecordingEffects()
        let board = PresenceBoard()
        let record = UserPresence(userId: "bob", name: "Bob", lastSeen: 0, effects: effects, board: board)
        let audience = ["alice"]
        #expect(await record.set(.online, device: "phone", name: "Bob", now: 1, ttl: 100, audience: audience).changed)
        #expect(await !record.set(.online, device: "laptop", name: "Bob", now: 2, ttl: 100, audience: audience).changed)
        #expect(await !record.set(.away, device: "laptop", name: "Bob", now: 3, ttl: 100, audience: audience).changed)
        #expect(await !record.set(.offline, device: "laptop", name: "Bob", now: 4, ttl: 100, audience: audience).changed)
        #expect(board.status(of: "bob", now: 4) == .online)
        #expect(await record.set(.away, device: "phone", name: "Bob", now: 5, ttl: 100, audience: audience).changed)
        #expect(await record.set(.offline, device: "phone", name: "Bob", now: 6, ttl: 100, audience: audience).changed)
        #expect(statuses(effects) == [.online, .away, .offline])
        #expect(board.status(of: "bob", now: 6) == .offline)
        #expect(board.entry(of: "bob")?.lastSeen == 6)
    }

    @Test func expiryOfOneDeviceIsSilentWhileAnotherIsOnline() async {
        let effects = RecordingEffects()
        let board = PresenceBoard()
        let record = UserPresence(userId: "bob", name: "Bob", lastSeen: 0, effects: effects, board: board)
        _ = await record.set(.online, device: "phone", name: "Bob", now: 0, ttl: 10, audience: ["alice"])
        _ = await record.set(.online, device: "laptop", name: "Bob", now: 5, ttl: 10, audience: ["alice"])
        #expect(await !record.expire(now: 10, audience: ["alice"]))
        #expect(await record.status(now: 10) == .online)
        #expect(await record.expire(now: 15, audience: ["alice"]))
        #expect(statuses(effects) == [.online, .offline])
        #expect(board.status(of: "bob", now: 15) == .offline)
        // Last seen is the last time a device spoke, not the moment of the lapse.
        #expect(board.entry(of: "bob")?.lastSeen == 5)
    }
}
