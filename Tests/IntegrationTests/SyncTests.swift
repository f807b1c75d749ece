import Foundation
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// `sync` (SPEC §10): a client that was away gets up to date in one request (plus forward paging when a
/// room has more than it asked for), including edits, deletions and reactions to messages it already
/// held, whether or not the engine restarted meanwhile.
@Suite(.timeLimit(.minutes(3)))
struct SyncTests {
    /// What a client holds of one room.
    struct HeldRoom: Equatable {
        var lastSeq = 0
        var changeSeq = 0
        var messages: [Int: JSONValue] = [:]
    }

    /// Syncs `client` from what it holds, the way a client should: apply new messages, page forward while
    /// `has_more`, replace changed ones, refetch on `changes_truncated`, drop rooms it left.
    static func sync(_ client: ChatClient, _ held: inout [String: HeldRoom], limit: Int = 100) async throws -> JSONValue {
        var positions: [String: JSONValue] = [:]
        for (roomId, room) in held {
            positions[roomId] = ["last_seq": .number(Double(room.lastSeq)), "change_seq": .number(Double(room.changeSeq))]
        }
        let reply = try await client.request("chat/sync", ["rooms": .object(positions), "limit_per_room": .number(Double(limit))])
        #expect(reply.status == "success", "sync failed: \(reply)")
        for roomId in reply["left"]?.arrayValue?.compactMap(\.stringValue) ?? [] { held[roomId] = nil }
        for entry in reply["rooms"]?.arrayValue ?? [] {
            let roomId = try #require(entry["room_id"]?.stringValue)
            var room = held[roomId] ?? HeldRoom()
            if entry["changes_truncated"]?.boolValue == true {
                room.messages = [:]
                room.lastSeq = max(0, (entry["first_seq"]?.intValue ?? 1) - 1)
            }
            for message in (entry["messages"]?.arrayValue ?? []) + (entry["changed"]?.arrayValue ?? []) {
                room.messages[try #require(message["seq"]?.intValue)] = message
            }
            var newest = room.messages.keys.max() ?? room.lastSeq
            var more = entry["has_more"]?.boolValue == true && held[roomId] != nil
            while more {
                let page = try await client.request("chat/history/\(roomId)", ["after": .number(Double(newest)), "limit": 100])
                for message in page["messages"]?.arrayValue ?? [] {
                    let seq = try #require(message["seq"]?.intValue)
                    room.messages[seq] = message
                    newest = max(newest, seq)
                }
                more = page["has_more"]?.boolValue == true
            }
            let firstSeq = entry["first_seq"]?.intValue ?? 0
            room.messages = room.messages.filter { $0.key >= firstSeq }
            room.lastSeq = try #require(entry["last_seq"]?.intValue)
            room.changeSeq = try #require(entry["change_seq"]?.intValue)
            held[roomId] = room
        }
        return reply
    }

    /// Every stored message of a room, as the engine holds it now.
    static func truth(_ roomId: String, as client: ChatClient) async throws -> [Int: JSONValue] {
        var messages: [Int: JSONValue] = [:]
        var before: Int?
        repeat {
            var fields: [String: JSONValue] = ["limit": 100]
            if let before { fields["before"] = .number(Double(before)) }
            let page = try await client.request("chat/history/\(roomId)", fields)
            for message in page["messages"]?.arrayValue ?? [] { messages[try #require(message["seq"]?.intValue)] = message }
            before = page["next_before"]?.intValue
        } while before != nil
        return messages
    }

    /// A client goes away; 500 messages arrive across 5 rooms, some edited, deleted and reacted to (old
    /// ones it held among them), it is kicked from one room and invited to another; one sync (and forward
    /// paging) makes what it holds equal to what the engine holds. With `restart`, the engine is killed
    /// with SIGKILL before the sync and restarted from its journal.
    @Test(arguments: [false, true])
    func oneSyncCatchesUpAClientThatWasAway(restart: Bool) async throws {
        let broker = try await Broker()
        let engine = EngineProcess(port: broker.port, dataDirectory: RestartTests.dataDirectory())
        try await engine.start()
        defer {
            engine.stop()
            broker.stop()
        }
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        let carol = try await ChatClient(userId: "carol", port: broker.port)
        var rooms: [String] = []
        for i in 0..<5 { rooms.append(try await alice.createRoom("room \(i)", joinedBy: [bob, carol])) }
        var early: [String: [Int]] = [:]
        for roomId in rooms {
            for i in 0..<10 { early[roomId, default: []].append(try #require(try await alice.say(roomId, "early \(i)")["seq"]?.intValue)) }
        }
        var held: [String: HeldRoom] = [:]
        _ = try await Self.sync(bob, &held)
        #expect(held.count == 5 && held.values.allSatisfy { $0.messages.count >= 10 })

        // Bob is away. 100 messages a room; some held and new ones are edited, deleted and reacted to.
        var late: [String: [Int]] = [:]
        for (n, roomId) in rooms.enumerated() {
            for i in 0..<100 {
                let sender = i % 3 == 0 ? carol : alice
                late[roomId, default: []].append(try #require(try await sender.say(roomId, "late \(n).\(i)")["seq"]?.intValue))
            }
        }
        for roomId in rooms {
            let old = early[roomId]!, new = late[roomId]!
            for seq in [old[1], old[4], new[5], new[50]] {  // alice's: only a sender edits
                #expect(try await alice.request("chat/message/\(roomId):\(seq)/edit", ["content": .string("edited \(seq)")]).status == "message_edited")
            }
            for seq in [old[2], new[4]] {
                #expect(try await alice.request("chat/message/\(roomId):\(seq)/delete").status == "message_deleted")
            }
            for seq in [old[3], old[5], new[10]] {
                #expect(try await carol.request("chat/message/\(roomId):\(seq)/react", ["emoji": "🎉"]).status == "reaction_added")
            }
            _ = try await carol.request("chat/message/\(roomId):\(old[5])/react", ["emoji": "🎉", "remove": true])
        }
        #expect(try await alice.request("chat/admin/rooms/\(rooms[4])/moderate", ["action": "kick", "user_id": "bob"]).status == "success")
        let secret = try await alice.createRoom("secret", ["type": "private"])
        #expect(try await alice.request("chat/rooms/invite/\(secret)", ["user_id": "bob"]).status == "invited")

        if restart {
            #expect(engine.stop(signal: SIGKILL) == 128 + SIGKILL)
            try await engine.start()
        }
        // 60 a room: the other 40 come by paging forward with `history` and `after`.
        let reply = try await Self.sync(bob, &held, limit: 60)
        #expect(reply["rooms"]?.arrayValue?.allSatisfy { $0["has_more"]?.boolValue == true } == true)
        #expect(reply["left"]?.arrayValue == [.string(rooms[4])])
        let invites = reply["invites"]?.arrayValue ?? []
        #expect(invites.count == 1 && invites.first?["room_id"]?.stringValue == secret && invites.first?["invited_by"]?.stringValue == "alice")
        #expect(Set(held.keys) == Set(rooms.prefix(4)))
        for roomId in rooms.prefix(4) {
            let truth = try await Self.truth(roomId, as: alice)
            let mine = held[roomId]?.messages ?? [:]
            #expect(mine.count == truth.count, "room \(roomId): \(mine.count) held, \(truth.count) stored")
            #expect(mine == truth)
            #expect(mine[early[roomId]![1]]?["content"]?.stringValue == "edited \(early[roomId]![1])")
            #expect(mine[early[roomId]![2]]?["deleted"]?.boolValue == true)
            #expect(mine[early[roomId]![3]]?["reactions"]?["🎉"]?.arrayValue == ["carol"])
        }
        // Nothing new: the next sync returns no messages and no changes.
        let again = try await bob.request("chat/sync", ["rooms": .object(held.mapValues {
            ["last_seq": .number(Double($0.lastSeq)), "change_seq": .number(Double($0.changeSeq))]
        })])
        for entry in again["rooms"]?.arrayValue ?? [] {
            #expect(entry["messages"]?.arrayValue?.isEmpty == true && entry["changed"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func syncRefusesMalformedPositionsAndReportsReadMarks() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom("marks", joinedBy: [bob])
            let sent = try await alice.say(roomId, "hello")
            let seq = try #require(sent["seq"]?.intValue)
            _ = try await bob.request("chat/read/\(roomId)", ["seq": .number(Double(seq))])
            let reply = try await bob.request("chat/sync", ["limit_per_room": 5])
            let entry = try #require(reply["rooms"]?.arrayValue?.first)
            #expect(entry["read_seq"]?.intValue == seq && entry["unread"]?.intValue == 0 && entry["last_seq"]?.intValue == seq)
            #expect(entry["name"]?.stringValue == "marks" && entry["type"]?.stringValue == "public")
            #expect(try await bob.request("chat/sync", ["rooms": "all"]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/sync", ["rooms": [roomId: "x"]]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/sync", ["rooms": [roomId: -1]]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/sync", ["limit_per_room": 101]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/history/\(roomId)", ["after": 0, "before": 5]).errorCode == "validation_failed")
            let forward = try await bob.request("chat/history/\(roomId)", ["after": 0, "limit": 1])
            #expect(forward["messages"]?.arrayValue?.count == 1 && forward["has_more"]?.boolValue == true)
            #expect(forward["next_after"]?.intValue == forward["messages"]?.arrayValue?.first?["seq"]?.intValue)
        }
    }

    /// A reply holds about 1 MiB: past that the rooms come a part at a time (`next_room`, `from_room`), a
    /// room cut short continuing from the position the client now holds.
    @Test func aLargeSyncComesInPartsThatTogetherHoldEveryRoom() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            var rooms: [String] = []
            for i in 0..<4 { rooms.append(try await alice.createRoom("big \(i)", joinedBy: [bob])) }
            // Where bob was when he went away.
            var positions: [String: JSONValue] = [:]
            for entry in try await bob.request("chat/sync")["rooms"]?.arrayValue ?? [] {
                positions[try #require(entry["room_id"]?.stringValue)] = entry["last_seq"] ?? 0
            }
            let text = JSONValue.string(String(repeating: "x", count: 4000))
            for roomId in rooms {
                var ids: [String] = []
                for _ in 0..<100 { ids.append(try alice.send("chat/message/\(roomId)", ["content": text])) }
                for id in ids { #expect(try await alice.reply(to: id, timeout: 30).status == "message_sent") }
            }
            // What bob holds: room → the seqs of the 4000-character messages.
            var held: [String: Set<Int>] = [:]
            var from: String?
            var parts = 0
            repeat {
                var fields: [String: JSONValue] = ["limit_per_room": 100, "rooms": .object(positions)]
                if let from { fields["from_room"] = .string(from) }
                let reply = try await bob.request("chat/sync", fields, timeout: 30)
                #expect(reply.status == "success", "\(reply)")
                for entry in reply["rooms"]?.arrayValue ?? [] {
                    let roomId = try #require(entry["room_id"]?.stringValue)
                    let messages = entry["messages"]?.arrayValue ?? []
                    for message in messages where message["content"]?.stringValue?.count == 4000 {
                        held[roomId, default: []].insert(try #require(message["seq"]?.intValue))
                    }
                    if let newest = messages.last?["seq"] { positions[roomId] = newest }
                }
                from = reply["next_room"]?.stringValue
                parts += 1
            } while from != nil && parts < 10
            #expect(parts >= 2, "4 rooms of 100 messages of 4000 characters do not fit one reply")
            #expect(from == nil)
            #expect(held.keys.sorted() == rooms.sorted())
            #expect(held.values.allSatisfy { $0.count == 100 }, "\(held.mapValues(\.count))")
        }
    }

    @Test func searchSpansEveryRoomOfTheCallerNewestFirst() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let first = try await alice.createRoom("one", joinedBy: [bob])
            let second = try await alice.createRoom("two", joinedBy: [bob])
            let elsewhere = try await alice.createRoom("three")
            _ = try await alice.say(first, "the Kiwi report")
            _ = try await alice.say(elsewhere, "kiwi in a room bob is not in")
            _ = try await alice.say(second, "more kiwi news")
            let found = try await bob.request("chat/search", ["query": "KIWI"])
            let rooms = found["messages"]?.arrayValue?.compactMap { $0["room_id"]?.stringValue }
            #expect(rooms == [second, first])
            #expect(try await bob.request("chat/search", ["query": "kiwi", "limit": 51]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/search", [:]).errorCode == "validation_failed")
            #expect(try await bob.request("chat/search", ["query": "kiwi", "limit": 1])["messages"]?.arrayValue?.count == 1)
        }
    }
}
