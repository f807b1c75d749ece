@testable import Engine
import Testing

/// Token buckets: refill, which refusals are answered, and a table that never outgrows its bound.
struct RateLimiterTests {
    @Test func refillsOverTheWindow() {
        let limiter = RateLimiter(limit: 2, window: 60)
        #expect(limiter.take("u", now: 0) == .allowed)
        #expect(limiter.take("u", now: 0) == .allowed)
        #expect(limiter.take("u", now: 0) == .refused(retryAfter: 30, answer: true))
        #expect(limiter.take("u", now: 30) == .allowed)
        #expect(limiter.take("other", now: 0) == .allowed)
        #expect(RateLimiter(limit: 0).take("u", now: 0) == .allowed)
    }

    @Test func everyRefusalWithARequestIdIsAnsweredOthersOncePerSecond() {
        let limiter = RateLimiter(limit: 1, window: 60)
        #expect(limiter.take("u", now: 0) == .allowed)
        for _ in 0..<5 {
            #expect(limiter.take("u", now: 0.1, hasRequestId: true) == .refused(retryAfter: 59.9, answer: true))
        }
        #expect(limiter.take("u", now: 0.2) == .refused(retryAfter: 59.8, answer: true))
        #expect(limiter.take("u", now: 0.5) == .refused(retryAfter: 59.5, answer: false))
        // Refusals with a request id in between do not use up the once-a-second answer, nor get held back by it.
        #expect(limiter.take("u", now: 0.6, hasRequestId: true) == .refused(retryAfter: 59.4, answer: true))
        #expect(limiter.take("u", now: 1.2) == .refused(retryAfter: 58.8, answer: true))
    }

    @Test func bucketsNeverOutgrowTheBound() {
        let limiter = RateLimiter(limit: 10, window: 10, maxBuckets: 100)
        for index in 0..<5000 {
            _ = limiter.take("user\(index)", now: Double(index) / 1000)
            #expect(limiter.trackedUsers <= 100)
        }
    }

    @Test func fullBucketsAreEvictedBeforeOlderBusyOnes() {
        // 2 per minute: one token back every 30 s.
        let limiter = RateLimiter(limit: 2, window: 60, maxBuckets: 3)
        _ = limiter.take("busy", now: 5)
        _ = limiter.take("busy", now: 5)
        _ = limiter.take("full", now: 10)
        _ = limiter.take("recent", now: 50)
        // At 61 "full" has been full since 40; "busy" (older) has 1.87 tokens and must keep them.
        _ = limiter.take("newcomer", now: 61)
        #expect(limiter.trackedUsers <= 3)
        #expect(limiter.take("busy", now: 61) == .allowed)
        #expect(limiter.take("busy", now: 61) != .allowed)
    }
}
