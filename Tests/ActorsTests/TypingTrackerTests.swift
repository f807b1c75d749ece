@testable import Actors
import Testing

struct TypingTrackerTests {
    @Test func startOnceRefreshSilentlyExpireOnce() async {
        let effects = RecordingEffects()
        let tracker = TypingTracker(roomId: "r", effects: effects)
        #expect(await tracker.start("bob", name: "Bob", expiresAt: 10, members: ["alice", "bob"]))
        #expect(await tracker.start("bob", name: "Bob", expiresAt: 20, members: ["alice", "bob"]) == false)
        await tracker.expire(now: 15, members: ["alice", "bob"])
        #expect(await tracker.typingUsers == ["bob"])
        await tracker.expire(now: 20, members: ["alice", "bob"])
        #expect(await tracker.typingUsers.isEmpty)
        let events = effects.events.withLock { $0 }
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.1 == ["alice"] })
    }
}
