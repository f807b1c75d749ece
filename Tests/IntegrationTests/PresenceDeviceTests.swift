import Foundation
import Testing
import Wire

/// Presence per device (PROTOCOL §2.5): a user's devices make one status, and `user_status` goes out
/// only when that status changes.
@Suite(.timeLimit(.minutes(1)))
struct PresenceDeviceTests {
    func statuses(_ client: ChatClient, of userId: String = "bob") -> [String] {
        client.events("user_status").filter { $0["user_id"]?.stringValue == userId }.compactMap { $0["status"]?.stringValue }
    }

    func status(of userId: String, in roomId: String, asSeenBy client: ChatClient) async throws -> String? {
        let info = try await client.request("chat/rooms/\(roomId)/info")
        return info["members"]?.arrayValue?.first { $0["user_id"]?.stringValue == userId }?["status"]?.stringValue
    }

    @Test func oneDeviceGoingOfflineKeepsTheUserOnline() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            let phone = try await bob.request("chat/presence/online", ["device": "phone"])
            #expect(phone.status == "online")
            #expect(phone["device"]?.stringValue == "phone")
            #expect(try await bob.request("chat/presence/online", ["device": "laptop"]).status == "online")
            #expect(try await bob.request("chat/presence/away", ["device": "laptop"]).status == "away")
            #expect(try await bob.request("chat/presence/offline", ["device": "phone"]).status == "offline")
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "away" }
            #expect(try await status(of: "bob", in: roomId, asSeenBy: alice) == "away")
            #expect(try await bob.request("chat/presence/offline", ["device": "laptop"]).status == "offline")
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "offline" }
            #expect(try await status(of: "bob", in: roomId, asSeenBy: alice) == "offline")
            // Exactly one event per change of the combined status: online, away, offline.
            try await Task.sleep(for: .milliseconds(200))
            #expect(statuses(alice) == ["online", "away", "offline"])
        }
    }

    @Test func twoDevicesOnlineThenBothOffline() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            _ = try await bob.request("chat/presence/online", ["device": "phone"])
            _ = try await bob.request("chat/presence/online", ["device": "laptop"])
            _ = try await bob.request("chat/presence/offline", ["device": "laptop"])
            #expect(try await status(of: "bob", in: roomId, asSeenBy: alice) == "online")
            // Offline for the default device, which never said anything, changes nothing either.
            _ = try await bob.request("chat/presence/offline")
            #expect(try await status(of: "bob", in: roomId, asSeenBy: alice) == "online")
            _ = try await bob.request("chat/presence/offline", ["device": "phone"])
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "offline" }
            try await Task.sleep(for: .milliseconds(200))
            #expect(statuses(alice) == ["online", "offline"])
        }
    }

    @Test func eachDeviceExpiresOnItsOwn() async throws {
        try await withEngine({ $0.presenceTTL = 2 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            _ = try await bob.request("chat/presence/online", ["device": "phone"])
            // The laptop keeps refreshing past the phone's TTL: the phone's lapse changes nothing.
            let started = Date()
            while Date().timeIntervalSince(started) < 3 {
                _ = try await bob.request("chat/presence/online", ["device": "laptop"])
                try await Task.sleep(for: .milliseconds(400))
            }
            #expect(statuses(alice) == ["online"])
            #expect(try await status(of: "bob", in: roomId, asSeenBy: alice) == "online")
            // Now the laptop lapses too.
            _ = try await alice.event("user_status", timeout: 10) { $0["status"]?.stringValue == "offline" }
            #expect(statuses(alice) == ["online", "offline"])
        }
    }

    @Test func anInvalidDeviceIsRejected() async throws {
        try await withEngine { engine in
            let bob = try await engine.user("bob")
            for device: JSONValue in ["", .string(String(repeating: "d", count: 65)), 7, "tab\u{7}bell"] {
                let reply = try await bob.request("chat/presence/online", ["device": device])
                #expect(reply.errorCode == "validation_failed", "device \(device): \(reply)")
            }
            let longest = try await bob.request("chat/presence/online", ["device": .string(String(repeating: "d", count: 64))])
            #expect(longest.status == "online")
            #expect(try await bob.request("chat/presence/online")["device"]?.stringValue == "default")
        }
    }

    /// Devices beyond the bound replace the least recently heard one, which stops counting.
    @Test func devicesPerUserAreBounded() async throws {
        try await withEngine({ $0.limits.devicesPerUser = 2 }) { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [bob])
            _ = try await bob.request("chat/presence/online", ["device": "oldest"])
            _ = try await bob.request("chat/presence/away", ["device": "second"])
            _ = try await bob.request("chat/presence/away", ["device": "third"])
            // "oldest" was dropped: its online no longer counts.
            _ = try await alice.event("user_status") { $0["status"]?.stringValue == "away" }
            #expect(try await status(of: "bob", in: roomId, asSeenBy: alice) == "away")
        }
    }
}
