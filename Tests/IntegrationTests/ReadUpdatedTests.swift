import Testing
import Wire

/// `read_updated` (PROTOCOL §2.6): a read mark that moved on one device reaches the user's other devices.
@Suite(.timeLimit(.minutes(1)))
struct ReadUpdatedTests {
    /// A read on one device tells the user's other devices, so they clear the badge.
    @Test func readUpdatedReachesTheUsersOtherDevices() async throws {
        try await withEngine { engine in
            let alice = try await engine.user("alice")
            let laptop = try await engine.user("bob")
            let phone = try await engine.user("bob")
            let roomId = try await alice.createRoom(joinedBy: [laptop])
            for i in 1...3 { _ = try await alice.say(roomId, "m\(i)") }
            let lastSeq = try #require(try await alice.say(roomId, "m4")["seq"]?.intValue)

            let read = try await laptop.request("chat/read/\(roomId)", ["seq": .number(Double(lastSeq - 1))])
            #expect(read.status == "success")
            #expect(read["read_seq"]?.intValue == lastSeq - 1)
            let updated = try await phone.event("read_updated")
            #expect(updated["room_id"]?.stringValue == roomId)
            #expect(updated["read_seq"]?.intValue == lastSeq - 1)
            #expect(updated["unread"]?.intValue == 1)
            // The same mark again (or an older one) moves nothing and tells nobody.
            _ = try await laptop.request("chat/read/\(roomId)", ["seq": .number(Double(lastSeq - 2))])
            _ = try await laptop.request("chat/read/\(roomId)", ["seq": 1_000_000])
            let second = try await phone.event("read_updated") { $0["read_seq"]?.intValue == lastSeq }
            #expect(second["unread"]?.intValue == 0)
            #expect(phone.events("read_updated").count == 2)
            #expect(alice.events("read_updated").isEmpty)
        }
    }
}
