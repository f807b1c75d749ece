import Testing
import Wire

/// Presence with TTLs and typing indicators, with short TTLs injected through configuration.
@Suite(.timeLimit(.minutes(1)))
struct PresenceTypingTests {
    @Test func statusGoesOnceToEachUserSharingARoomAndExpires() async throws {
        try await withEngine({ $0.presenceTTL = 2 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob", name: "Bob")
            let stranger = try await engine.user("stranger")
            let first = try await alice.createRoom("one")
            let second = try await alice.createRoom("two")
            try await bob.join(first)
            try await bob.join(second)

            // Two onlines back to back: the second lands well within the TTL and only refreshes it.
            let going = try bob.send("chat/presence/online")
            let refresh = try bob.send("chat/presence/online")
            #expect(try await bob.reply(to: going).status == "online")
            #expect(try await bob.reply(to: refresh).status == "online")
            let online = try await alice.event("user_status") { $0["status"]?.stringValue == "online" }
            #expect(online["user_id"]?.stringValue == "bob")
            #expect(online["name"]?.stringValue == "Bob")
            let offline = try await alice.event("user_status", timeout: 10) { $0["status"]?.stringValue == "offline" }
            #expect(offline["user_id"]?.stringValue == "bob")
            #expect(alice.events("user_status").filter { $0["status"]?.stringValue == "online" }.count == 1)
            #expect(stranger.events("user_status").isEmpty)
            #expect(bob.events("user_status").isEmpty)

            let info = try await alice.request("chat/rooms/\(first)/info")
            #expect(info["online_count"]?.intValue == 0)
        }
    }

    @Test func awayAndExplicitOffline() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            #expect(try await bob.request("chat/presence/away").status == "away")
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "away" }
            let info = try await alice.request("chat/rooms/\(roomId)/info")
            let bobEntry = info["members"]?.arrayValue?.first { $0["user_id"]?.stringValue == "bob" }
            #expect(bobEntry?["status"]?.stringValue == "away")
            #expect(try await bob.request("chat/presence/offline").status == "offline")
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "offline" }
        }
    }

    @Test func typingStartsOnceRefreshesSilentlyAndExpires() async throws {
        try await withEngine({ $0.typingTTL = 1.5 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            // Two starts back to back: the second lands well within the TTL and only refreshes it.
            let first = try bob.send("chat/typing/\(roomId)/start")
            let second = try bob.send("chat/typing/\(roomId)/start")
            #expect(try await bob.reply(to: first).status == "typing_started")
            #expect(try await bob.reply(to: second).status == "typing_started")
            let start = try await alice.event("typing_start")
            #expect(start["user_id"]?.stringValue == "bob")
            _ = try await alice.event("typing_stop", timeout: 5)
            #expect(alice.events("typing_start").count == 1)
            #expect(alice.events("typing_stop").count == 1)
            #expect(bob.events("typing_start").isEmpty)
        }
    }

    @Test func aMessageOrAStopEndsTyping() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let outsider = try await engine.user("outsider")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            _ = try await bob.request("chat/typing/\(roomId)/start")
            _ = try await alice.event("typing_start")
            _ = try await bob.say(roomId, "done typing")
            _ = try await alice.event("typing_stop")
            _ = try await bob.request("chat/typing/\(roomId)/start")
            try await alice.waitUntil("second start") { alice.events("typing_start").count == 2 }
            #expect(try await bob.request("chat/typing/\(roomId)/stop").status == "typing_stopped")
            try await alice.waitUntil("second stop") { alice.events("typing_stop").count == 2 }
            #expect(try await outsider.request("chat/typing/\(roomId)/start").errorCode == "not_member")
        }
    }
}
