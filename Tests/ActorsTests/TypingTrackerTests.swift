@testable import Actors
import Testing

struct TypingTrackerTests {
    @Test func startOnceRefreshSilentlyExpireOnce() async {
        let effects = RecordingEffects()
        let tracker = TypingTracker(roomId: "r", effects: effects)
        let audience = RoomAudience(roomId: "r", isDirect: false, topicEpoch: 0, members: ["alice", "bob"])
        #expect(await tracker.start("bob", name: "Bob", expiresAt: 10, audience: audience))
        #expect(await tracker.start("bob", name: "Bob", expiresAt: 20, audience: audience) == false)
        await tracker.expire(now: 15, audience: audience)
        #expect(await tracker.typingUsers == ["bob"])
        await tracker.expire(now: 20, audience: audience)
        #expect(await tracker.typingUsers.isEmpty)
        let events = effects.events.withLock { $0 }
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.1 == ["alice"] })
    }
}
