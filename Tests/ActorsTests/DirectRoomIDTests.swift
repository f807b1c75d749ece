@testable import Actors
import Testing

struct DirectRoomIDTests {
    @Test func idsWithoutUnderscoresKeepTheReadableForm() {
        #expect(DirectRoomID.make("bob", "alice") == "private_alice_bob")
        #expect(DirectRoomID.make("alice", "bob") == "private_alice_bob")
        #expect(DirectRoomID.make("bob", "carol_smith") == "private_3-bob_carol_smith")
        #expect(DirectRoomID.make("smith", "bob_carol") == "private_9-bob_carol_smith")
        #expect(DirectRoomID.isDirect("private_alice_bob"))
        #expect(!DirectRoomID.isDirect("5f0c2a8e-1b7d-4d3a-9e61-0c2f4b8a7d13"))
    }

    /// Every pair of a set of ids built to collide (underscores, dashes, digits) gets its own id.
    @Test func noTwoPairsShareAnId() {
        let parts = ["a", "b", "a_b", "b_a", "_", "__", "a_", "_b", "1-a", "3-a_b", "1", "a-b", "2-a_", "x_1-a"]
        var owners: [String: Set<String>] = [:]
        for first in parts {
            for second in parts where first != second {
                let id = DirectRoomID.make(first, second)
                #expect(id == DirectRoomID.make(second, first))
                let pair: Set = [first, second]
                if let other = owners[id] {
                    #expect(other == pair, "\(id) names both \(other) and \(pair)")
                }
                owners[id] = pair
            }
        }
        #expect(owners.count == parts.count * (parts.count - 1) / 2)
    }
}
