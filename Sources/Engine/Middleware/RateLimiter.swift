import Actors
import Synchronization

/// Per-user token buckets: `limit` requests per `window` seconds, refilled continuously.
///
/// Refused requests that carry a `request_id` are all answered, as long as the user's refusals stay within
/// a budget far above any honest burst (`refusalBudget` per window, refilled continuously): each answer is
/// a publish the engine queues for the broker, and a client flooding tens of thousands of requests a second
/// would otherwise make the engine hold a backlog of answers nobody reads. Past the budget, and for
/// requests without `request_id` always, at most one refusal per `refusalAnswerInterval` is answered.
///
/// Holds at most `maxBuckets` users: past that, full buckets go first (a full bucket is what a user
/// without one gets anyway), then the longest idle, so memory never grows with the number of user ids.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updatedAt: Double
        /// Refusals of requests with a `request_id` that may still be answered (see `refusalBudget`).
        var refusalTokens: Double
        /// When a throttled refusal was last answered; those in between are dropped.
        var answeredRefusalAt: Double = -.infinity
    }

    /// What to do with a request.
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Over the limit: answer `rate_limited` with `retryAfter`, or (`answer == false`) drop it.
        case refused(retryAfter: Double, answer: Bool)
    }

    /// Seconds between two answered refusals of one user's requests without `request_id` (or past the budget).
    public let refusalAnswerInterval: Double
    /// Refusals of requests with a `request_id` answered per window, beyond the throttled one a second:
    /// ten times the limit, at least 100.
    public let refusalBudget: Int

    public let limit: Int
    public let window: Double
    /// Users tracked at once.
    public let maxBuckets: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// - Parameters:
    ///   - limit: requests allowed per window; 0 turns limiting off.
    ///   - window: the window in seconds.
    ///   - refusalAnswerInterval: seconds between two `rate_limited` replies to requests without `request_id`.
    ///   - maxBuckets: users tracked at once (at least 1).
    public init(limit: Int, window: Double = 60, refusalAnswerInterval: Double = 1, maxBuckets: Int = 100_000) {
        self.limit = limit
        self.window = window
        self.refusalAnswerInterval = refusalAnswerInterval
        self.refusalBudget = max(100, 10 * limit)
        self.maxBuckets = max(1, maxBuckets)
    }

    /// Users currently tracked.
    public var trackedUsers: Int { buckets.withLock { $0.count } }

    /// Takes one token for `userId`, or says how long until one is available and whether to answer.
    ///
    /// A refused request that carries a `request_id` is answered (within the refusal budget): its sender
    /// waits for that reply, and the refusal costs one small publish to the sender alone. Without one,
    /// nobody can match the reply to a request, so a flood of them is answered at most once per
    /// `refusalAnswerInterval`.
    public func take(_ userId: String, now: Double, hasRequestId: Bool = false) -> Decision {
        guard limit > 0 else { return .allowed }
        let capacity = Double(limit)
        let rate = capacity / window
        let budget = Double(refusalBudget)
        return buckets.withLock { buckets in
            var bucket = buckets[userId] ?? Bucket(tokens: capacity, updatedAt: now, refusalTokens: budget)
            let elapsed = max(0, now - bucket.updatedAt)
            bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
            bucket.refusalTokens = min(budget, bucket.refusalTokens + elapsed * budget / window)
            bucket.updatedAt = now
            defer {
                if buckets[userId] == nil && buckets.count >= maxBuckets {
                    evict(from: &buckets, now: now, rate: rate, capacity: capacity)
                }
                buckets[userId] = bucket
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return .allowed
            }
            let answer: Bool
            if hasRequestId && bucket.refusalTokens >= 1 {
                bucket.refusalTokens -= 1
                answer = true
            } else {
                answer = now - bucket.answeredRefusalAt >= refusalAnswerInterval
                if answer { bucket.answeredRefusalAt = now }
            }
            let wait = (1 - bucket.tokens) / rate
            return .refused(retryAfter: (wait * 1000).rounded(.up) / 1000, answer: answer)
        }
    }

    /// Makes room for one more user: drops every full bucket (a new bucket is full, so forgetting one
    /// changes nothing but its refusal budget), then, if the table is still over 90 %, the longest idle
    /// buckets down to 90 %. Each sweep frees many slots, so its cost spreads thin.
    private func evict(from buckets: inout [String: Bucket], now: Double, rate: Double, capacity: Double) {
        buckets = buckets.filter { $0.value.tokens + max(0, now - $0.value.updatedAt) * rate < capacity }
        let target = maxBuckets - max(1, maxBuckets / 10)
        guard buckets.count > target else { return }
        let idlest = buckets.sorted { $0.value.updatedAt < $1.value.updatedAt }.prefix(buckets.count - target)
        for (userId, _) in idlest { buckets[userId] = nil }
    }
}
