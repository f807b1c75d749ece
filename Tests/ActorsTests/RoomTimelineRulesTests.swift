@testable import Actors
import Testing

/// The room actor's timeline rules, without a broker or an engine: threads and reply counts, history
/// pages in both directions, search, read marks and unread counts.
struct RoomTimelineRulesTests {
    func contents(_ page: (messages: [ChatMessage], hasMore: Bool)) -> [String] { page.messages.map(\.content) }

    // MARK: Threads

    @Test func repliesJoinTheRootsThreadAndCountOnTheRoot() async throws {
        let fixture = try await RoomFixture(members: ["bob"])
        let root = try await fixture.post("alice", "root", at: 1)
        let first = try await fixture.post("bob", "r1", at: 2, replyTo: root.id, inThread: true)
        #expect(first.replyTo == root.id && first.threadId == root.id)
        // A reply to a reply stays in the root's thread.
        let nested = try await fixture.post("alice", "r2", at: 3, replyTo: first.id, inThread: true)
        #expect(nested.replyTo == first.id && nested.threadId == root.id)
        // A quote (`reply_to` on a plain message) is no thread reply and counts nowhere.
        let quote = try await fixture.post("bob", "quote", at: 4, replyTo: root.id)
        #expect(quote.replyTo == root.id && quote.threadId == nil)
        _ = try await fixture.post("bob", "unrelated", at: 5)

        let stored = try await fixture.room.message(seq: root.seq, for: "bob")
        #expect(stored.replyCount == 2)
        #expect(try await fixture.room.message(seq: first.seq, for: "bob").replyCount == 0)
        // The thread's history: the root and its replies, nothing else.
        let thread = try await fixture.room.history(for: "bob", limit: 10, before: nil, threadId: root.id)
        #expect(contents(thread) == ["r2", "r1", "root"] && !thread.hasMore)
        let forward = try await fixture.room.history(for: "bob", limit: 2, after: 0, threadId: root.id)
        #expect(contents(forward) == ["root", "r1"] && forward.hasMore)
    }

    @Test func aReplyToAMessageThatIsNotHereIsNotFound() async throws {
        let fixture = try await RoomFixture(ringCapacity: 3)
        let old = try await fixture.post("alice", "old", at: 1)
        for id in ["r1:999", "other:\(old.seq)", "garbage"] {
            await #expect(throws: ChatError.notFound("message \(id)")) {
                try await fixture.post("alice", "x", at: 2, replyTo: id, inThread: true)
            }
        }
        try await fixture.post(3, from: 10)  // evicts "old"
        await #expect(throws: ChatError.notFound("message \(old.id)")) {
            try await fixture.post("alice", "late", at: 20, replyTo: old.id, inThread: true)
        }
    }

    // MARK: Paging

    @Test func historyBeforePagesNewestFirstAndAfterOldestFirst() async throws {
        let fixture = try await RoomFixture(members: ["bob"])
        let room = fixture.room
        let posted = try await fixture.post(10, by: "bob")  // m0…m9
        let seqs = posted.map(\.seq)

        let newest = try await room.history(for: "bob", limit: 3, before: nil, threadId: nil)
        #expect(contents(newest) == ["m9", "m8", "m7"] && newest.hasMore)
        let older = try await room.history(for: "bob", limit: 3, before: seqs[7], threadId: nil)
        #expect(contents(older) == ["m6", "m5", "m4"])
        // The last page: the room's own notices come before m0.
        let oldest = try await room.history(for: "bob", limit: 50, before: seqs[1], threadId: nil)
        #expect(oldest.messages.first?.content == "m0" && !oldest.hasMore)
        #expect(oldest.messages.dropFirst().allSatisfy { $0.kind == .system })
        #expect(try await room.history(for: "bob", limit: 5, before: 1, threadId: nil).messages.isEmpty)

        let after = try await room.history(for: "bob", limit: 3, after: seqs[2], threadId: nil)
        #expect(contents(after) == ["m3", "m4", "m5"] && after.hasMore)
        let tail = try await room.history(for: "bob", limit: 3, after: seqs[6], threadId: nil)
        #expect(contents(tail) == ["m7", "m8", "m9"] && !tail.hasMore, "exactly the limit left: no more")
        #expect(try await room.history(for: "bob", limit: 3, after: seqs[9], threadId: nil).messages.isEmpty)
        #expect(try await room.history(for: "bob", limit: 3, after: .max, threadId: nil).messages.isEmpty)
        await #expect(throws: ChatError.notMember) { try await room.history(for: "eve", limit: 3, before: nil, threadId: nil) }
        await #expect(throws: ChatError.notMember) { try await room.history(for: "eve", limit: 3, after: 0, threadId: nil) }
    }

    @Test func pagesStepOverGapsAndEvictedMessages() async throws {
        let fixture = try await RoomFixture(ringCapacity: 5, members: ["bob"])
        let room = fixture.room
        let posted = try await fixture.post(8, by: "bob", from: 100)  // the ring keeps m3…m7
        _ = try await room.removeMessages(olderThan: 105)  // m3, m4 go: seqs now have a gap below m5
        let all = try await room.history(for: "bob", limit: 10, before: nil, threadId: nil)
        #expect(contents(all) == ["m7", "m6", "m5"] && !all.hasMore)
        // Positions given by seqs that are no longer stored still work.
        let fromGone = try await room.history(for: "bob", limit: 10, after: posted[1].seq, threadId: nil)
        #expect(contents(fromGone) == ["m5", "m6", "m7"])
        let beforeGone = try await room.history(for: "bob", limit: 10, before: posted[4].seq, threadId: nil)
        #expect(beforeGone.messages.isEmpty)
        #expect(await fixture.state.firstSeq == posted[5].seq)
    }

    // MARK: Search

    @Test func searchFindsMembersLiveMessagesNewestFirst() async throws {
        let fixture = try await RoomFixture(members: ["bob"])
        let room = fixture.room
        let fold: @Sendable (String) -> String = { $0.lowercased() }
        func search(_ query: String, limit: Int = 10) async throws -> [String] {
            try await room.search(for: "bob", folded: query, limit: limit, fold: fold).map(\.content)
        }
        try await fixture.post("alice", "Lunch at noon?", at: 1)
        let gone = try await fixture.post("bob", "lunch is cancelled", at: 2)
        try await fixture.post("bob", "LUNCH tomorrow", at: 3)
        try await fixture.post("alice", "dinner", at: 4)
        _ = try await room.delete(seq: gone.seq, by: "bob", isGlobalAdmin: false, now: 5)
        #expect(try await search("lunch") == ["LUNCH tomorrow", "Lunch at noon?"])
        #expect(try await search("lunch", limit: 1) == ["LUNCH tomorrow"])
        #expect(try await search("nothing").isEmpty)
        // The room's notices ("Bob joined the room") are not search results.
        #expect(try await search("joined").isEmpty)
        await #expect(throws: ChatError.notMember) { try await room.search(for: "eve", folded: "lunch", limit: 5, fold: fold) }
    }

    // MARK: Read marks

    @Test func readMarksOnlyMoveForwardAndCountOthersLiveMessages() async throws {
        let fixture = try await RoomFixture(members: ["bob"])
        let room = fixture.room
        let alices = try await fixture.post(3, by: "alice", from: 10)
        try await fixture.post("bob", "mine", at: 20)
        // Unread: alice's three, not bob's own message, not the notices.
        #expect(await fixture.state.unreadCount(for: "bob") == 3)
        let first = try await room.markRead("bob", upTo: alices[0].seq)
        #expect(first.readSeq == alices[0].seq && first.moved && first.unread == 2)
        let back = try await room.markRead("bob", upTo: 1)
        #expect(back.readSeq == alices[0].seq && !back.moved && back.unread == 2, "a mark never moves back")
        _ = try await room.delete(seq: alices[2].seq, by: "alice", isGlobalAdmin: false, now: 21)
        #expect(await fixture.state.unreadCount(for: "bob") == 1, "a deleted message is not unread")
        // A mark past the newest message stops at it; a new message is unread again.
        let all = try await room.markRead("bob", upTo: 10_000)
        let lastSeq = await fixture.state.lastSeq
        #expect(all.readSeq == lastSeq && all.unread == 0)
        try await fixture.post("alice", "new", at: 30)
        #expect(await fixture.state.unreadCount(for: "bob") == 1)
        let again = try await room.markRead("bob", upTo: lastSeq)
        #expect(!again.moved && again.unread == 1)
        await #expect(throws: ChatError.notMember) { try await room.markRead("eve", upTo: 1) }
        // The journal holds the moves and nothing for the refused ones.
        let reads = fixture.effects.changes.withLock { $0 }.filter { if case .read = $0 { true } else { false } }
        #expect(reads.count == 2)
    }
}
