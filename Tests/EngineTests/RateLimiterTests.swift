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

    /// Whether a refusal is to be answered; nil when the request was allowed.
    func answered(_ decision: RateLimiter.Decision) -> Bool? {
        if case .refused(let retryAfter, let answer) = decision, retryAfter > 0 { return answer }
        return nil
    }

    @Test func everyRefusalWithARequestIdIsAnsweredOthersOncePerSecond() {
        let limiter = RateLimiter(limit: 1, window: 60)
        #expect(limiter.take("u", now: 0) == .allowed)
        for _ in 0..<5 { #expect(answered(limiter.take("u", now: 0.1, hasRequestId: true)) == true) }
        #expect(answered(limiter.take("u", now: 0.2)) == true)
        #expect(answered(limiter.take("u", now: 0.5)) == false)
        // Refusals with a request id in between are neither held back by the once-a-second answer nor use it up.
        #expect(answered(limiter.take("u", now: 0.6, hasRequestId: true)) == true)
        #expect(answered(limiter.take("u", now: 1.1)) == false)
        #expect(answered(limiter.take("u", now: 1.2)) == true)
    }

    @Test func refusalsWithARequestIdPastTheBudgetAreThrottledToo() {
        let limiter = RateLimiter(limit: 1, window: 60)
        #expect(limiter.refusalBudget == 100)
        #expect(limiter.take("u", now: 0) == .allowed)
        for _ in 0..<100 { #expect(answered(limiter.take("u", now: 0.1, hasRequestId: true)) == true) }
        // A flood, not a burst: one answer a second from here on.
        #expect(answered(limiter.take("u", now: 0.1, hasRequestId: true)) == true)
        #expect(answered(limiter.take("u", now: 0.2, hasRequestId: true)) == false)
        #expect(answered(limiter.take("u", now: 1.15, hasRequestId: true)) == true)
        // The budget refills with time (100 a minute): after 3 s, more than one answer again.
        #expect(answered(limiter.take("u", now: 4.2, hasRequestId: true)) == true)
        #expect(answered(limiter.take("u", now: 4.2, hasRequestId: true)) == true)
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
