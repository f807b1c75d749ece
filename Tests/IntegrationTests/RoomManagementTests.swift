import Testing
import Wire

/// Invitations that notify and can be withdrawn, and room settings for admins (SPEC §10): rename,
/// describe, promote, demote, archive; room lists that say where each room is.
@Suite(.timeLimit(.minutes(1)))
struct RoomManagementTests {
    @Test func invitationsNotifyAreListedAndCanBeRevokedOrDeclined() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom("plans", ["type": "private"])
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob"]).status == "invited")
            let notice = try await bob.waitFor("room_invited") { topic, json in
                topic.hasSuffix("/notifications") && json["type"]?.stringValue == "room_invited"
            }
            #expect(notice["room_id"]?.stringValue == roomId && notice["room_name"]?.stringValue == "plans")
            #expect(notice["invited_by"]?.stringValue == "alice")
            let invited = try await bob.request("chat/rooms/list", ["scope": "invited"])
            let entry = try #require(invited["rooms"]?.arrayValue?.first)
            #expect(invited["rooms"]?.arrayValue?.count == 1)
            #expect(entry["id"]?.stringValue == roomId && entry["invited_by"]?.stringValue == "alice" && entry["is_member"]?.boolValue == false)
            // A second invitation of the same user changes nothing and notifies nobody again.
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob"]).status == "invited")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "alice"]).errorCode == "validation_failed")

            // Withdrawn: bob hears of it, the list is empty, the join is forbidden.
            #expect(try await carol.request("chat/rooms/invite/\(roomId)", ["user_id": "bob", "revoke": true]).errorCode == "forbidden")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob", "revoke": true]).status == "invite_revoked")
            _ = try await bob.waitFor("room_invite_revoked") { topic, json in
                topic.hasSuffix("/notifications") && json["type"]?.stringValue == "room_invite_revoked"
            }
            #expect(try await bob.request("chat/rooms/list", ["scope": "invited"])["rooms"]?.arrayValue?.isEmpty == true)
            #expect(try await bob.request("chat/rooms/join/\(roomId)").errorCode == "forbidden")
            #expect(bob.count { topic, json in topic.hasSuffix("/notifications") && json["type"]?.stringValue == "room_invited" } == 1)

            // Declined by the invitee.
            _ = try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "carol"])
            #expect(try await carol.request("chat/rooms/invite/\(roomId)", ["user_id": "carol", "revoke": true]).status == "invite_revoked")
            #expect(try await carol.request("chat/rooms/join/\(roomId)").errorCode == "forbidden")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "carol"]).status == "invited")
            #expect(try await carol.request("chat/rooms/join/\(roomId)").status == "joined")
            #expect(try await carol.request("chat/rooms/list", ["scope": "invited"])["rooms"]?.arrayValue?.isEmpty == true)

            // Someone who blocked you gets no invitation from you.
            #expect(try await bob.request("chat/users/block/alice").status == "blocked")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob"]).errorCode == "forbidden")
        }
    }

    @Test func aRoomHoldsABoundedNumberOfPendingInvitations() async throws {
        try await withEngine({ $0.limits.invitationsPerRoom = 2 }) { engine in
            let alice = try await engine.user("alice")
            let roomId = try await alice.createRoom("small", ["type": "private"])
            for invitee in ["u1", "u2"] {
                #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": .string(invitee)]).status == "invited")
            }
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "u3"]).errorCode == "conflict")
            // Repeating a pending one is still fine; withdrawing one makes room.
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "u2"]).status == "invited")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "u1", "revoke": true]).status == "invite_revoked")
            #expect(try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "u3"]).status == "invited")
        }
    }

    @Test func adminsRenameDescribePromoteDemoteAndArchive() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let carol = try await engine.user("carol")
            let roomId = try await alice.createRoom("old name", joinedBy: [bob])
            func moderate(_ client: ChatClient, _ fields: [String: JSONValue]) async throws -> JSONValue {
                try await client.request("chat/admin/rooms/\(roomId)/moderate", fields)
            }
            #expect(try await moderate(bob, ["action": "rename", "name": "mine"]).errorCode == "forbidden")
            #expect(try await moderate(alice, ["action": "rename", "name": "  "]).errorCode == "validation_failed")
            #expect(try await moderate(alice, ["action": "rename", "name": "new name"])["name"]?.stringValue == "new name")
            let renamed = try await bob.event("room_updated") { $0["action"]?.stringValue == "rename" }
            #expect(renamed["name"]?.stringValue == "new name")
            #expect(try await moderate(alice, ["action": "describe", "description": "what we do"]).status == "success")
            let info = try await bob.request("chat/rooms/\(roomId)/info")
            #expect(info["room"]?["name"]?.stringValue == "new name" && info["room"]?["description"]?.stringValue == "what we do")

            #expect(try await moderate(alice, ["action": "demote", "user_id": "alice"]).errorCode == "conflict")
            #expect(try await moderate(alice, ["action": "promote", "user_id": "carol"]).errorCode == "not_found")
            #expect(try await moderate(alice, ["action": "promote", "user_id": "bob"]).status == "success")
            let promoted = try await bob.event("room_updated") { $0["action"]?.stringValue == "promote" }
            #expect(promoted["user_id"]?.stringValue == "bob")
            #expect(try await moderate(bob, ["action": "demote", "user_id": "alice"]).status == "success")
            #expect(try await moderate(alice, ["action": "lock"]).errorCode == "forbidden")

            #expect(try await moderate(bob, ["action": "archive"])["archived"]?.boolValue == true)
            #expect(try await alice.say(roomId, "hello?").errorCode == "forbidden")
            #expect(try await moderate(bob, ["action": "explode"]).errorCode == "validation_failed")
            #expect(try await moderate(bob, ["action": "promote"]).errorCode == "validation_failed")
            #expect(try await carol.request("chat/rooms/join/\(roomId)").errorCode == "forbidden")
            let listed = try await carol.request("chat/rooms/list", ["scope": "public"])
            let entry = listed["rooms"]?.arrayValue?.first { $0["id"]?.stringValue == roomId }
            #expect(entry?["archived"]?.boolValue == true && entry?["name"]?.stringValue == "new name")
            #expect(try await moderate(bob, ["action": "unarchive"]).status == "success")
            #expect(try await alice.say(roomId, "back").status == "message_sent")
        }
    }

    /// A direct room has no name, description or admins to change, and an archived private room takes no
    /// invitations.
    @Test func directRoomsHaveNoSettingsAndArchivedRoomsNoInvitations() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            _ = try await engine.user("bob")
            let direct = try #require(try await alice.request("chat/private/bob", ["content": "hi"])["room_id"]?.stringValue)
            let admin = try await engine.user("root", admin: true)
            for action in ["rename", "describe", "archive", "promote"] {
                let reply = try await admin.request("chat/admin/rooms/\(direct)/moderate", ["action": .string(action), "name": "x", "user_id": "bob"])
                #expect(reply.errorCode == "forbidden", "\(action): \(reply)")
            }
            let secret = try await alice.createRoom("closed", ["type": "private"])
            _ = try await alice.request("chat/admin/rooms/\(secret)/moderate", ["action": "archive"])
            #expect(try await alice.request("chat/rooms/invite/\(secret)", ["user_id": "bob"]).errorCode == "forbidden")
        }
    }

    @Test func roomListsCarryTheNewestSeqAndTheCallersReadMark() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom("counted", joinedBy: [bob])
            var last = 0
            for i in 0..<3 { last = try #require(try await alice.say(roomId, "m\(i)")["seq"]?.intValue) }
            _ = try await bob.request("chat/read/\(roomId)", ["seq": .number(Double(last - 1))])
            let list = try await bob.request("chat/rooms/list", ["scope": "mine"])
            let entry = try #require(list["rooms"]?.arrayValue?.first)
            #expect(entry["last_seq"]?.intValue == last && entry["read_seq"]?.intValue == last - 1 && entry["unread"]?.intValue == 1)
            #expect(try await bob.request("chat/rooms/list", ["scope": "everything"]).errorCode == "validation_failed")
        }
    }
}
