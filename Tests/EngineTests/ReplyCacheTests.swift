@testable import Engine
import Testing

/// Bytes in and out of the reply cache: every bound forgets the oldest first, and the counts stay exact.
struct ReplyCacheTests {
    /// The cost of a reply of `size` bytes for user `u` under a one-letter request id.
    func cost(_ size: Int, user: String = "u", requestId: String = "a") -> Int {
        ReplyCache.cost(user: user, requestId: requestId, reply: [UInt8](repeating: 0, count: size))
    }

    @Test func forgetsAfterItsTTL() {
        let cache = ReplyCache(ttl: 10)
        cache.store(user: "u", requestId: "a", reply: [1], now: 0)
        #expect(cache.reply(user: "u", requestId: "a", now: 5) == [1])
        #expect(cache.reply(user: "v", requestId: "a", now: 5) == nil)
        #expect(cache.reply(user: "u", requestId: "a", now: 11) == nil)
        cache.store(user: "v", requestId: "b", reply: [2], now: 11)
        #expect(cache.count == 1)
        #expect(cache.bytes == cost(1, user: "v", requestId: "b"))
        #expect(cache.bytes(of: "u") == 0)
    }

    @Test func countsBytesPerUserAndInTotal() {
        let cache = ReplyCache(ttl: 600)
        cache.store(user: "u", requestId: "a", reply: [UInt8](repeating: 1, count: 100), now: 0)
        cache.store(user: "u", requestId: "b", reply: [UInt8](repeating: 1, count: 300), now: 0)
        cache.store(user: "v", requestId: "a", reply: [UInt8](repeating: 1, count: 50), now: 0)
        #expect(cache.bytes(of: "u") == cost(100) + cost(300))
        #expect(cache.bytes(of: "v") == cost(50, user: "v"))
        #expect(cache.bytes == cost(100) + cost(300) + cost(50, user: "v"))
        // Storing under the same key again replaces the reply and its bytes.
        cache.store(user: "u", requestId: "a", reply: [7], now: 1)
        #expect(cache.reply(user: "u", requestId: "a", now: 1) == [7])
        #expect(cache.bytes(of: "u") == cost(1) + cost(300))
        #expect(cache.count == 3)
    }

    @Test func perUserBoundForgetsThatUsersOldestFirst() {
        let cache = ReplyCache(ttl: 600, bytesPerUser: 3 * cost(100), bytesTotal: 1 << 20)
        cache.store(user: "other", requestId: "x", reply: [UInt8](repeating: 0, count: 100), now: 0)
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            cache.store(user: "u", requestId: id, reply: [UInt8](repeating: UInt8(index), count: 100), now: Double(index))
        }
        #expect(cache.reply(user: "u", requestId: "a", now: 5) == nil)
        for id in ["b", "c", "d"] { #expect(cache.reply(user: "u", requestId: id, now: 5) != nil) }
        #expect(cache.bytes(of: "u") == 3 * cost(100))
        // Another user's replies are untouched by this user's bound.
        #expect(cache.reply(user: "other", requestId: "x", now: 5) != nil)
        #expect(cache.bytes == 3 * cost(100) + cost(100, user: "other", requestId: "x"))
    }

    @Test func totalBoundForgetsTheOldestOfAnyone() {
        let cache = ReplyCache(ttl: 600, bytesPerUser: 1 << 20, bytesTotal: 2 * cost(100))
        cache.store(user: "u", requestId: "a", reply: [UInt8](repeating: 0, count: 100), now: 0)
        cache.store(user: "w", requestId: "a", reply: [UInt8](repeating: 0, count: 100), now: 1)
        cache.store(user: "x", requestId: "a", reply: [UInt8](repeating: 0, count: 100), now: 2)
        #expect(cache.reply(user: "u", requestId: "a", now: 3) == nil)
        #expect(cache.reply(user: "w", requestId: "a", now: 3) != nil)
        #expect(cache.reply(user: "x", requestId: "a", now: 3) != nil)
        #expect(cache.bytes == 2 * cost(100))
        #expect(cache.bytes(of: "u") == 0)
    }

    @Test func aReplyLargerThanABoundIsNotRemembered() {
        let cache = ReplyCache(ttl: 600, bytesPerUser: 1000, bytesTotal: 4000)
        #expect(cache.store(user: "u", requestId: "small", reply: [1], now: 0))
        #expect(!cache.store(user: "u", requestId: "big", reply: [UInt8](repeating: 0, count: 1000), now: 0))
        #expect(cache.reply(user: "u", requestId: "big", now: 0) == nil)
        #expect(cache.reply(user: "u", requestId: "small", now: 0) == [1])
        #expect(cache.bytes == cost(1, requestId: "small"))
    }

    @Test func manyRepliesNeverOutgrowTheBounds() {
        let cache = ReplyCache(ttl: 600, bytesPerUser: 10 * cost(10, requestId: "r10000"), bytesTotal: 25 * cost(10, requestId: "r10000"))
        for index in 0..<10_000 {
            let user = "u\(index % 7)"
            cache.store(user: user, requestId: "r\(10_000 + index % 5000)", reply: [UInt8](repeating: 0, count: 10), now: Double(index) / 100)
            #expect(cache.bytes <= cache.bytesTotal)
            #expect(cache.bytes(of: user) <= cache.bytesPerUser)
        }
        let entries = cache.entries(now: 100)
        #expect(entries.count == cache.count)
        #expect(entries.reduce(0) { $0 + ReplyCache.cost(user: $1.user, requestId: $1.requestId, reply: $1.reply) } == cache.bytes)
    }

    @Test func entriesComeOutOldestFirstAndRestoreWithinTheBounds() {
        let cache = ReplyCache(ttl: 600)
        cache.store(user: "u", requestId: "chat/rooms/create\u{0}r1", reply: [1], now: 0)
        cache.store(user: "v", requestId: "chat/rooms/create\u{0}r2", reply: [2], now: 1)
        cache.store(user: "u", requestId: "chat/rooms/create\u{0}r3", reply: [3], now: 2)
        let entries = cache.entries(now: 3)
        #expect(entries.map(\.reply) == [[1], [2], [3]])
        #expect(entries.map(\.requestId) == ["chat/rooms/create\u{0}r1", "chat/rooms/create\u{0}r2", "chat/rooms/create\u{0}r3"])

        // A journal may hold more than the cache kept: restoring keeps the newest that fit.
        let restored = ReplyCache(ttl: 600, bytesPerUser: cost(1, requestId: "chat/rooms/create\u{0}r1"), bytesTotal: 1 << 20)
        restored.restore(Array(entries.reversed()), now: 3)
        #expect(restored.reply(user: "u", requestId: "chat/rooms/create\u{0}r1", now: 3) == nil)
        #expect(restored.reply(user: "u", requestId: "chat/rooms/create\u{0}r3", now: 3) == [3])
        #expect(restored.reply(user: "v", requestId: "chat/rooms/create\u{0}r2", now: 3) == [2])
        // Expired entries are not restored.
        restored.restore([(user: "w", requestId: "old", reply: [9], expiresAt: 2)], now: 3)
        #expect(restored.count == 2)
    }
}
