import Testing
import Wire

/// Room lists page through public rooms and the caller's own rooms together, in id order, each once.
@Suite(.timeLimit(.minutes(1)))
struct RoomListTests {
    /// Every id of every page, following `next_cursor`.
    func walk(_ client: ChatClient, _ fields: [String: JSONValue], limit: Int) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            var page = fields
            page["limit"] = .number(Double(limit))
            if let cursor { page["cursor"] = .string(cursor) }
            let reply = try await client.request("chat/rooms/list", page)
            let rooms = try #require(reply["rooms"]?.arrayValue, "\(reply)")
            #expect(rooms.count <= limit)
            ids += rooms.compactMap { $0["id"]?.stringValue }
            cursor = reply["next_cursor"]?.stringValue
        } while cursor != nil
        return ids
    }

    @Test func pagesMergePublicRoomsWithTheCallersOwn() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let mallory = try await engine.user("mallory")
            var open: [String] = []
            for name in ["p1", "p2", "p3"] { open.append(try await alice.createRoom(name)) }
            open.append(try await mallory.createRoom("m"))
            let secret = try await alice.createRoom("secret", ["type": "private"])
            let hidden = try await mallory.createRoom("hidden", ["type": "private"])
            let direct = try #require(try await alice.request("chat/private/bob", ["content": "hi"])["room_id"]?.stringValue)
            try await bob.join(open[0])

            for limit in [1, 2, 50] {
                #expect(try await walk(alice, [:], limit: limit) == (open + [secret, direct]).sorted())
                #expect(try await walk(alice, ["scope": "mine"], limit: limit) == (open.prefix(3) + [secret, direct]).sorted())
                #expect(try await walk(alice, ["scope": "public"], limit: limit) == open.sorted())
                #expect(try await walk(bob, [:], limit: limit) == (open + [direct]).sorted())
                #expect(try await walk(mallory, ["scope": "mine"], limit: limit) == [open[3], hidden].sorted())
            }
            let page = try await bob.request("chat/rooms/list", ["limit": 100])
            let flags = page["rooms"]?.arrayValue?.map { ($0["id"]?.stringValue ?? "", $0["is_member"]?.boolValue ?? false) }
            #expect(flags?.filter(\.1).map(\.0).sorted() == [open[0], direct].sorted())
        }
    }
}
