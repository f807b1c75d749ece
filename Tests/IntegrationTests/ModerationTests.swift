import Foundation
import Testing
import Wire

/// Admin routes: lock, slow mode, kick, clear, delete, mute, ban, cleanup, broadcast.
@Suite(.timeLimit(.minutes(1)))
struct ModerationTests {
    /// A ban of oneself is refused: a global admin banned everywhere could never lift it.
    @Test func nobodyBansThemselves() async throws {
        try await withEngine { engine in
            let root = try await engine.user("root", admin: true)
            let roomId = try await root.createRoom()
            #expect(try await root.request("chat/admin/users/root/ban").errorCode == "validation_failed")
            #expect(try await root.request("chat/admin/users/root/ban", ["room_id": .string(roomId)]).errorCode == "validation_failed")
            #expect(try await root.request("chat/rooms/list").status == "success")
        }
    }

    @Test func lockSlowModeKickClearAndDelete() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let moderate = "chat/admin/rooms/\(roomId)/moderate"
            #expect(try await bob.request(moderate, ["action": "lock"]).errorCode == "forbidden")
            #expect(try await alice.request(moderate, ["action": "lock"]).status == "success")
            _ = try await bob.event("room_updated") { $0["action"]?.stringValue == "lock" }
            #expect(try await bob.say(roomId, "let me talk").errorCode == "forbidden")
            #expect(try await alice.say(roomId, "admins may").status == "message_sent")
            _ = try await alice.request(moderate, ["action": "unlock"])

            #expect(try await alice.request(moderate, ["action": "slow_mode"]).errorCode == "validation_failed")
            _ = try await alice.request(moderate, ["action": "slow_mode", "seconds": 30])
            #expect(try await bob.say(roomId, "one").status == "message_sent")
            let slowed = try await bob.say(roomId, "two")
            #expect(slowed.errorCode == "rate_limited")
            #expect((slowed["error"]?["retry_after"]?.doubleValue ?? 0) > 20)
            _ = try await alice.request(moderate, ["action": "slow_mode", "seconds": 0])

            let doomed = try #require(try await bob.say(roomId, "spam")["message_id"]?.stringValue)
            #expect(try await alice.request(moderate, ["action": "delete_message", "message_id": .string(doomed)]).status == "success")
            _ = try await bob.event("message_deleted")
            #expect(try await alice.request(moderate, ["action": "clear_history"]).status == "success")
            let history = try await alice.request("chat/history/\(roomId)")
            #expect(history["count"]?.intValue == 0)
            let next = try await alice.say(roomId, "seq continues")
            #expect((next["seq"]?.intValue ?? 0) > 5)

            #expect(try await alice.request(moderate, ["action": "kick", "user_id": "bob"]).status == "success")
            _ = try await bob.event("member_left") { $0["reason"]?.stringValue == "kicked" }
            #expect(try await bob.say(roomId, "still here?").errorCode == "not_member")
            #expect(try await alice.request(moderate, ["action": "explode"]).errorCode == "validation_failed")
        }
    }

    @Test func muteWithDurationExpiresAndUnmuteWorks() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let mute = "chat/admin/users/bob/mute"
            #expect(try await bob.request("chat/admin/users/alice/mute", ["room_id": .string(roomId)]).errorCode == "forbidden")
            // Long enough that the check inside the mute holds on a busy machine; the wait then outlasts it.
            let muted = try await alice.request(mute, ["room_id": .string(roomId), "duration_seconds": 4])
            #expect(muted.status == "muted")
            _ = try await bob.event("user_muted")
            #expect(try await bob.say(roomId, "hello").errorCode == "muted")
            let until = try #require(muted["until"]?.doubleValue)
            try await Task.sleep(for: .milliseconds(Int((until - Date().timeIntervalSince1970) * 1000) + 200))
            #expect(try await bob.say(roomId, "free again").status == "message_sent")
            _ = try await alice.request(mute, ["room_id": .string(roomId)])
            #expect(try await bob.say(roomId, "hello").errorCode == "muted")
            #expect(try await alice.request(mute, ["room_id": .string(roomId), "unmute": true]).status == "unmuted")
            #expect(try await bob.say(roomId, "hello").status == "message_sent")
        }
    }

    @Test func roomAndGlobalBans() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let root = try await engine.user("root", admin: true)
            let roomId = try await alice.createRoom()
            let other = try await alice.createRoom("other")
            try await bob.join(roomId)
            try await bob.join(other)
            #expect(try await alice.request("chat/admin/users/bob/ban", ["room_id": .string(roomId)]).status == "banned")
            _ = try await bob.event("user_banned")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").errorCode == "banned")
            #expect(try await alice.request("chat/admin/users/bob/ban", ["room_id": .string(roomId), "unban": true]).status == "unbanned")
            #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "joined")

            #expect(try await alice.request("chat/admin/users/bob/ban").errorCode == "forbidden")
            let global = try await root.request("chat/admin/users/bob/ban")
            #expect(global.status == "banned")
            #expect(global["rooms"]?.intValue == 2)
            #expect(try await bob.say(other, "hi").errorCode == "banned")
            let members = try await alice.request("chat/rooms/\(other)/info")["members"]?.arrayValue?.compactMap { $0["user_id"]?.stringValue }
            #expect(members == ["alice"])
            #expect(try await bob.request("chat/private/alice", ["content": "hi"]).errorCode == "banned")
            #expect(try await bob.request("chat/rooms/join/\(other)").errorCode == "banned")
        }
    }

    @Test func cleanupAndBroadcastNeedAGlobalAdmin() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let root = try await engine.user("root", admin: true)
            let roomId = try await alice.createRoom()
            _ = try await alice.say(roomId, "old")
            #expect(try await alice.request("chat/admin/messages/cleanup", ["older_than_seconds": 0]).errorCode == "forbidden")
            let cleaned = try await root.request("chat/admin/messages/cleanup", ["older_than_seconds": 0, "room_id": .string(roomId)])
            #expect(cleaned["deleted"]?.intValue == 2)
            #expect(try await alice.request("chat/history/\(roomId)")["count"]?.intValue == 0)

            _ = try await bob.request("chat/presence/online")
            #expect(try await alice.request("chat/broadcast", ["content": "hi all"]).errorCode == "forbidden")
            let sent = try await root.request("chat/broadcast", ["content": "maintenance at noon"])
            #expect(sent.status == "broadcast_sent")
            #expect(sent["recipients"]?.intValue == 1)
            let event = try await bob.event("broadcast")
            #expect(event["content"]?.stringValue == "maintenance at noon")
            #expect(alice.events("broadcast").isEmpty)
        }
    }
}
