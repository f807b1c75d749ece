@testable import Actors
import Testing

struct BlockListTests {
    @Test func blockUnblockAndListSorted() throws {
        let blocks = BlockList()
        #expect(try blocks.set("bob", blocks: "zed", true, limit: 10))
        #expect(try blocks.set("bob", blocks: "alice", true, limit: 10))
        #expect(try !blocks.set("bob", blocks: "alice", true, limit: 10))
        #expect(blocks.blocked(by: "bob") == ["alice", "zed"])
        #expect(blocks.blocks("bob", "alice"))
        #expect(!blocks.blocks("alice", "bob"))
        #expect(try blocks.set("bob", blocks: "alice", false, limit: 10))
        #expect(try !blocks.set("bob", blocks: "alice", false, limit: 10))
        #expect(blocks.blocked(by: "bob") == ["zed"])
    }

    @Test func theBoundRefusesOneMoreButNotARepeatOrAnUnblock() throws {
        let blocks = BlockList()
        try blocks.set("bob", blocks: "a", true, limit: 2)
        try blocks.set("bob", blocks: "b", true, limit: 2)
        #expect(throws: ChatError.self) { try blocks.set("bob", blocks: "c", true, limit: 2) }
        #expect(try !blocks.set("bob", blocks: "a", true, limit: 2))
        #expect(try blocks.set("bob", blocks: "a", false, limit: 2))
        #expect(try blocks.set("bob", blocks: "c", true, limit: 2))
    }

    @Test func aFailedRecordChangesNothingAndANoOpRecordsNothing() throws {
        let blocks = BlockList()
        #expect(throws: ChatError.self) {
            try blocks.set("bob", blocks: "a", true, limit: 2) { () throws(ChatError) in throw ChatError(.internal, "disk") }
        }
        #expect(blocks.blocked(by: "bob").isEmpty)
        var records = 0
        try blocks.set("bob", blocks: "a", true, limit: 2) { records += 1 }
        try blocks.set("bob", blocks: "a", true, limit: 2) { records += 1 }
        #expect(records == 1)
        #expect(blocks.all == ["bob": ["a"]])
    }
}
