import Actors
import Testing
import Wire

@testable import Engine

/// Replies kept as two numbers, and restored replies indexed on first use: what comes out must be what
/// went in, byte for byte, with the same bounds and order as bytes stored one by one.
struct ReplyCacheCompactTests {
    static let room = "0b6c4a3e-2f1d-4c6b-9a8e-7d5f3c2b1a09"
    static let topic = "chat/message/\(room)"

    /// The reply the engine sends for message `seq`, and its compact form (nil if it has none).
    func sent(seq: UInt64, requestId: String) -> (reply: [UInt8], compact: ReplyCache.Compact?) {
        let message = ChatMessage(
            roomId: Self.room, seq: seq, senderId: "u", senderName: "U", content: "hi", kind: .text,
            timestamp: 1_764_680_000.123456 + Double(seq))
        let result = MessageHandlers.sent(message)
        let reply = RequestProcessor.encode(result, topic: Self.topic, requestId: requestId)
        return (reply, RequestProcessor.compactForm(of: result, topic: Self.topic, requestId: requestId, encoded: reply))
    }

    @Test func aMessagePostsReplyIsRebuiltByteForByte() throws {
        for seq: UInt64 in [1, 2, 999, 1_000_000, 9_007_199_254_740_991] {
            let requestId = "req-\(seq)-\u{00e9}\u{0}x"
            let (reply, compact) = sent(seq: seq, requestId: requestId)
            let form = try #require(compact)
            #expect(RequestProcessor.expandMessageSent(RequestProcessor.requestKey(topic: Self.topic, requestId: requestId), form) == reply)
        }
        // Other replies keep their bytes.
        let other = Reply("joined", ["room_id": .string(Self.room)])
        let bytes = RequestProcessor.encode(other, topic: "chat/rooms/join/\(Self.room)", requestId: "r")
        #expect(RequestProcessor.compactForm(of: other, topic: "chat/rooms/join/\(Self.room)", requestId: "r", encoded: bytes) == nil)
        // A reply without request id is never remembered, so never compacted.
        let (plain, _) = sent(seq: 5, requestId: "r")
        #expect(RequestProcessor.compactForm(of: MessageHandlers.sent(ChatMessage(
            roomId: Self.room, seq: 5, senderId: "u", senderName: "U", content: "", kind: .text, timestamp: 0)),
            topic: Self.topic, requestId: nil, encoded: plain) == nil)
    }

    @Test func compactRepliesComeBackAsTheirBytesAndCountTheirFullSize() {
        let cache = ReplyCache(ttl: 600, expand: RequestProcessor.expandMessageSent)
        let plain = ReplyCache(ttl: 600)
        for seq: UInt64 in 1...50 {
            let requestId = "r\(seq)"
            let key = RequestProcessor.requestKey(topic: Self.topic, requestId: requestId)
            let (reply, compact) = sent(seq: seq, requestId: requestId)
            #expect(compact != nil)
            cache.store(user: "u", requestId: key, reply: reply, now: Double(seq), compact: compact)
            plain.store(user: "u", requestId: key, reply: reply, now: Double(seq))
        }
        #expect(cache.bytes == plain.bytes)
        #expect(cache.count == plain.count)
        let key = RequestProcessor.requestKey(topic: Self.topic, requestId: "r7")
        #expect(cache.reply(user: "u", requestId: key, now: 60) == sent(seq: 7, requestId: "r7").reply)
        #expect(cache.entries(now: 60).map(\.reply) == plain.entries(now: 60).map(\.reply))
        #expect(cache.entries(now: 60).map(\.requestId) == plain.entries(now: 60).map(\.requestId))
    }

    /// Restored replies that fit are indexed in one pass; the result is the one-by-one result, also when
    /// they do not fit (over a bound, or a key twice) and are inserted one by one.
    @Test(arguments: [(false, false), (true, false), (false, true)])
    func restoredRepliesMatchOneByOneInserts(overBound: Bool, duplicates: Bool) {
        var replies: [ReplyCache.Restored] = []
        for index in 0..<300 {
            let user = "user-\(index % 7)"
            replies.append((user, "chat/rooms/create\u{0}r\(duplicates ? index % 70 : index)", [UInt8](repeating: UInt8(index % 256), count: 10 + index % 40),
                            Double(1000 + (index * 37) % 300)))
        }
        let perUser = overBound ? 2_000 : 1 << 20
        let lazy = ReplyCache(ttl: 600, bytesPerUser: perUser)
        lazy.restore(replies, now: 1010)
        let eager = ReplyCache(ttl: 600, bytesPerUser: perUser)
        for reply in replies.filter({ $0.expiresAt > 1010 }).sorted(by: { $0.expiresAt < $1.expiresAt }) {
            eager.store(user: reply.user, requestId: reply.requestId, reply: reply.reply, now: reply.expiresAt - 600)
        }
        let left = lazy.entries(now: 1010)
        let right = eager.entries(now: 1010)
        #expect(left.map(\.user) == right.map(\.user))
        #expect(left.map(\.requestId) == right.map(\.requestId))
        #expect(left.map(\.reply) == right.map(\.reply))
        #expect(left.map(\.expiresAt) == right.map(\.expiresAt))
        #expect(lazy.bytes == eager.bytes)
        for user in 0..<7 { #expect(lazy.bytes(of: "user-\(user)") == eager.bytes(of: "user-\(user)")) }
    }

    @Test func aRestoredReplyAnswersTheFirstLookup() {
        let cache = ReplyCache(ttl: 600)
        cache.restore([(user: "u", requestId: "k", reply: [1, 2, 3], expiresAt: 700)], now: 100)
        #expect(cache.reply(user: "u", requestId: "k", now: 101) == [1, 2, 3])
        cache.settle()
        #expect(cache.count == 1)
    }
}

/// What a snapshot takes from the cache and a restart gives back: compact replies stay compact, and
/// come back as the same bytes with the same costs.
struct ReplyCacheSnapshotTests {
    @Test func compactRepliesSurviveASnapshotAsTheirNumbers() throws {
        let topic = ReplyCacheCompactTests.topic
        let cache = ReplyCache(ttl: 600, expand: RequestProcessor.expandMessageSent)
        var originals: [String: [UInt8]] = [:]
        for seq: UInt64 in 1...30 {
            let requestId = "r\(seq)"
            let key = RequestProcessor.requestKey(topic: topic, requestId: requestId)
            let (reply, compact) = ReplyCacheCompactTests().sent(seq: seq, requestId: requestId)
            cache.store(user: "u\(seq % 3)", requestId: key, reply: reply, now: Double(seq), compact: seq % 5 == 0 ? nil : compact)
            originals[key] = reply
        }
        let saved = cache.snapshot(now: 40)
        #expect(saved.count == 30)
        #expect(saved.filter { $0.compact != nil }.count == 24)
        #expect(saved.allSatisfy { $0.compact == nil || $0.reply.isEmpty })

        let restored = ReplyCache(ttl: 600, expand: RequestProcessor.expandMessageSent)
        restored.restore(saved, now: 40)
        #expect(restored.bytes == cache.bytes)
        for (key, reply) in originals {
            let user = saved.first { $0.requestId == key }!.userId
            #expect(restored.reply(user: user, requestId: key, now: 41) == reply)
        }
        #expect(restored.snapshot(now: 40) == saved)
        // Without `expand` the compact ones cannot be rebuilt: they are forgotten, not answered wrongly.
        let plain = ReplyCache(ttl: 600)
        plain.restore(saved, now: 40)
        #expect(plain.count == 6)
    }
}
